/**
 * SMA crossover: BUY when the short SMA crosses above the long one (previous short ≤ previous
 * long, now short > long), SELL the reverse. Evaluated at every point, so a crossing between
 * two points of the same batch is never missed.
 */
import { smaAt } from '../sma.ts';
import type { CrossoverParams, PricePoint, Signal } from './types.ts';

/** Signals raised at indices ≥ fromIndex (earlier points serve as history only). */
export function crossoverSignals(points: readonly PricePoint[], params: CrossoverParams, fromIndex = 0): Signal[] {
  const prices = points.map((point) => point.price);
  const signals: Signal[] = [];
  // Both SMAs must exist at i − 1, so the first candidate is index `long`.
  for (let i = Math.max(fromIndex, params.long); i < points.length; i++) {
    const short = smaAt(prices, params.short, i) as number;
    const long = smaAt(prices, params.long, i) as number;
    const previousShort = smaAt(prices, params.short, i - 1) as number;
    const previousLong = smaAt(prices, params.long, i - 1) as number;
    let kind: 'BUY' | 'SELL' | undefined;
    if (previousShort <= previousLong && short > long) kind = 'BUY';
    else if (previousShort >= previousLong && short < long) kind = 'SELL';
    if (!kind) continue;
    const point = points[i] as PricePoint;
    signals.push({
      index: i,
      signal: kind,
      strategy: 'crossover',
      timestamp: point.timestamp,
      price: point.price,
      indicators: { sma_short: short, sma_long: long, prev_sma_short: previousShort, prev_sma_long: previousLong },
    });
  }
  return signals;
}

/** Points of history needed before the first new point to evaluate it. */
export function crossoverHistoryNeeded(params: CrossoverParams): number {
  return params.long;
}
