/** One entry point for the configured strategy, used by the trends handler and the backtest. */
import { crossoverHistoryNeeded, crossoverSignals } from './crossover.ts';
import { thresholdHistoryNeeded, thresholdSignals } from './threshold.ts';
import type { PricePoint, Signal, StrategyConfig } from './types.ts';

export * from './anomaly.ts';
export * from './cooldown.ts';
export * from './crossover.ts';
export * from './threshold.ts';
export * from './types.ts';

export function evaluateStrategy(config: StrategyConfig, points: readonly PricePoint[], fromIndex = 0): Signal[] {
  return config.name === 'crossover'
    ? crossoverSignals(points, config, fromIndex)
    : thresholdSignals(points, config, fromIndex);
}

/** How many earlier points the strategy needs to evaluate a new one. */
export function historyNeeded(config: StrategyConfig): number {
  return config.name === 'crossover' ? crossoverHistoryNeeded(config) : thresholdHistoryNeeded(config);
}

/** A reason the parameters cannot work, or undefined when they are fine. */
export function strategyProblem(config: StrategyConfig): string | undefined {
  const positiveInteger = (value: number) => Number.isInteger(value) && value >= 1;
  if (config.name === 'crossover') {
    if (!positiveInteger(config.short) || !positiveInteger(config.long)) return 'SMA windows must be whole numbers ≥ 1';
    if (config.short >= config.long)
      return `the short SMA window (${config.short}) must be smaller than the long one (${config.long})`;
    return undefined;
  }
  if (![config.lookback, config.smaWindow, config.minPoints].every(positiveInteger)) {
    return 'lookback, SMA window and minimum points must be whole numbers ≥ 1';
  }
  if (!(config.threshPct > 0) || !(config.epsPct >= 0)) return 'the threshold must be > 0 and epsilon ≥ 0 (percent)';
  return undefined;
}
