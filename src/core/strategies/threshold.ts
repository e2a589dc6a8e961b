/**
 * Threshold momentum: once MIN_POINTS points exist, BUY when the price rose at least THRESH_PCT
 * over the last LOOKBACK points and stands at least EPS_PCT above its SMA_WINDOW average;
 * SELL for the mirror image. Raised at every point that meets the rule: cooldown decides
 * which of them become alerts.
 */
import { smaAt } from '../sma.ts';
import type { PricePoint, Signal, ThresholdParams } from './types.ts';

export function thresholdSignals(points: readonly PricePoint[], params: ThresholdParams, fromIndex = 0): Signal[] {
  const prices = points.map((point) => point.price);
  const signals: Signal[] = [];
  const first = Math.max(fromIndex, params.minPoints - 1, params.lookback, params.smaWindow - 1);
  for (let i = first; i < points.length; i++) {
    const price = prices[i] as number;
    const base = prices[i - params.lookback] as number;
    const average = smaAt(prices, params.smaWindow, i) as number;
    const changePct = ((price - base) / base) * 100;
    const distancePct = ((price - average) / average) * 100;
    let kind: 'BUY' | 'SELL' | undefined;
    if (changePct >= params.threshPct && distancePct >= params.epsPct) kind = 'BUY';
    else if (changePct <= -params.threshPct && distancePct <= -params.epsPct) kind = 'SELL';
    if (!kind) continue;
    const point = points[i] as PricePoint;
    signals.push({
      index: i,
      signal: kind,
      strategy: 'threshold',
      timestamp: point.timestamp,
      price,
      indicators: { change_pct: changePct, sma: average, distance_pct: distancePct },
    });
  }
  return signals;
}

export function thresholdHistoryNeeded(params: ThresholdParams): number {
  return Math.max(params.lookback, params.smaWindow - 1, params.minPoints - 1);
}
