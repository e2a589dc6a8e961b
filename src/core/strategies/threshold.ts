/**
 * Threshold momentum: once MIN_POINTS points exist, BUY when the price rose at least THRESH_PCT
 * over the last LOOKBACK points and stands at least EPS_PCT above its SMA_WINDOW average;
 * SELL for the mirror image. Raised at every point that meets the rule: cooldown decides
 * which of them become alerts.
 */
import { smaOfPrices } from './crossover.ts';
import { evaluateStrategy } from './evaluate.ts';
import type { PricePoint, Signal, Strategy, ThresholdParams } from './types.ts';

export function thresholdStrategy(params: ThresholdParams): Strategy {
  return {
    name: 'threshold',
    history: thresholdHistoryNeeded(params),
    evaluate(points, i) {
      const price = (points[i] as PricePoint).price;
      const base = (points[i - params.lookback] as PricePoint).price;
      const average = smaOfPrices(points, params.smaWindow, i);
      const changePct = ((price - base) / base) * 100;
      const distancePct = ((price - average) / average) * 100;
      let signal: 'BUY' | 'SELL' | undefined;
      if (changePct >= params.threshPct && distancePct >= params.epsPct) signal = 'BUY';
      else if (changePct <= -params.threshPct && distancePct <= -params.epsPct) signal = 'SELL';
      if (!signal) return undefined;
      return { signal, indicators: { change_pct: changePct, sma: average, distance_pct: distancePct } };
    },
  };
}

export function thresholdSignals(points: readonly PricePoint[], params: ThresholdParams, fromIndex = 0): Signal[] {
  return evaluateStrategy(thresholdStrategy(params), points, fromIndex);
}

export function thresholdHistoryNeeded(params: ThresholdParams): number {
  return Math.max(params.lookback, params.smaWindow - 1, params.minPoints - 1);
}
