/**
 * SMA crossover: BUY when the short SMA crosses above the long one (previous short ≤ previous
 * long, now short > long), SELL the reverse. Evaluated at every point, so a crossing between
 * two points of the same batch is never missed.
 */
import { evaluateStrategy } from './evaluate.ts';
import type { CrossoverParams, PricePoint, Signal, Strategy } from './types.ts';

/** The mean price of the `window` points ending at `end`, summed left to right (bit-identical everywhere). */
export function smaOfPrices(points: readonly PricePoint[], window: number, end: number): number {
  let sum = 0;
  for (let i = end - window + 1; i <= end; i++) sum += (points[i] as PricePoint).price;
  return sum / window;
}

export function crossoverStrategy(params: CrossoverParams): Strategy {
  return {
    name: 'crossover',
    // Both SMAs must exist at i − 1, so the first point judged is index `long`.
    history: params.long,
    evaluate(points, i) {
      const short = smaOfPrices(points, params.short, i);
      const long = smaOfPrices(points, params.long, i);
      const previousShort = smaOfPrices(points, params.short, i - 1);
      const previousLong = smaOfPrices(points, params.long, i - 1);
      let signal: 'BUY' | 'SELL' | undefined;
      if (previousShort <= previousLong && short > long) signal = 'BUY';
      else if (previousShort >= previousLong && short < long) signal = 'SELL';
      if (!signal) return undefined;
      return {
        signal,
        indicators: { sma_short: short, sma_long: long, prev_sma_short: previousShort, prev_sma_long: previousLong },
      };
    },
  };
}

/** Signals raised at indices ≥ fromIndex (earlier points serve as history only). */
export function crossoverSignals(points: readonly PricePoint[], params: CrossoverParams, fromIndex = 0): Signal[] {
  return evaluateStrategy(crossoverStrategy(params), points, fromIndex);
}

/** Points of history needed before the first new point to evaluate it. */
export function crossoverHistoryNeeded(params: CrossoverParams): number {
  return params.long;
}
