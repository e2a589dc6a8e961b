/** Anomaly: a single move of at least the threshold (|change_percent| ≥ 5 by default). */
import { isAnomaly } from '../metrics.ts';
import type { PricePoint, Signal } from './types.ts';

export function anomalySignals(points: readonly PricePoint[], thresholdPct: number, fromIndex = 0): Signal[] {
  const signals: Signal[] = [];
  for (let i = fromIndex; i < points.length; i++) {
    const point = points[i] as PricePoint;
    const changePercent = point.change_percent ?? null;
    if (!isAnomaly(changePercent, thresholdPct)) continue;
    signals.push({
      index: i,
      signal: 'ANOMALY',
      strategy: 'anomaly',
      timestamp: point.timestamp,
      price: point.price,
      indicators: { change_percent: changePercent as number, threshold_pct: thresholdPct },
    });
  }
  return signals;
}
