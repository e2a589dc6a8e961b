/**
 * RSI reversal: BUY when the 14-point RSI climbs back above 30 (leaving oversold), SELL when it
 * falls back below 70 (leaving overbought). The RSI here is Cutler's: plain averages of the gains
 * and losses over the last 14 changes, so each point is judged from its own window alone.
 *
 *   stockpipe backtest --file aapl-daily-2015-2017.csv --symbol AAPL --strategy ./rsi.mjs
 */
const PERIOD = 14;
const OVERSOLD = 30;
const OVERBOUGHT = 70;

/** RSI of the PERIOD changes ending at point `end` (0–100). */
function rsiAt(points, end) {
  let gains = 0;
  let losses = 0;
  for (let k = end - PERIOD + 1; k <= end; k++) {
    const change = points[k].price - points[k - 1].price;
    if (change > 0) gains += change;
    else losses -= change;
  }
  if (losses === 0) return gains === 0 ? 50 : 100;
  return 100 - 100 / (1 + gains / losses);
}

export default {
  name: 'rsi',
  // PERIOD changes need PERIOD + 1 points, and the previous point's RSI one more.
  history: PERIOD + 1,
  evaluate(points, i) {
    const rsi = rsiAt(points, i);
    const previous = rsiAt(points, i - 1);
    if (previous <= OVERSOLD && rsi > OVERSOLD) return { signal: 'BUY', indicators: { rsi, previous_rsi: previous } };
    if (previous >= OVERBOUGHT && rsi < OVERBOUGHT)
      return { signal: 'SELL', indicators: { rsi, previous_rsi: previous } };
    return undefined;
  },
};
