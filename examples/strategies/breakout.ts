/**
 * Channel breakout (Donchian): BUY when the price closes above the highest high of the previous
 * 20 points, SELL when it closes below their lowest low — only on the point that breaks out, not
 * on every point after it. Bars without a high or low (quotes) use the price.
 *
 *   stockpipe backtest --file aapl-daily-2015-2017.csv --symbol AAPL --strategy ./breakout.ts
 */
interface Point {
  timestamp: string;
  price: number;
  high?: number | null;
  low?: number | null;
}

type Verdict = undefined | { signal: 'BUY' | 'SELL'; indicators: Record<string, number> };

const WINDOW = 20;

/** The highest high and lowest low of the WINDOW points before `i`. */
function channelBefore(points: readonly Point[], i: number): { high: number; low: number } {
  let high = -Infinity;
  let low = Infinity;
  for (let k = i - WINDOW; k < i; k++) {
    const point = points[k] as Point;
    high = Math.max(high, point.high ?? point.price);
    low = Math.min(low, point.low ?? point.price);
  }
  return { high, low };
}

export default {
  name: 'breakout',
  // The channel before this point and before the previous one.
  history: WINDOW + 1,
  evaluate(points: readonly Point[], i: number): Verdict {
    const price = (points[i] as Point).price;
    const previousPrice = (points[i - 1] as Point).price;
    const channel = channelBefore(points, i);
    const previous = channelBefore(points, i - 1);
    const indicators = { channel_high: channel.high, channel_low: channel.low };
    if (price > channel.high && previousPrice <= previous.high) return { signal: 'BUY', indicators };
    if (price < channel.low && previousPrice >= previous.low) return { signal: 'SELL', indicators };
    return undefined;
  },
};
