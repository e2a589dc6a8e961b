/** One entry point for the strategies, used by the trends handler, the backtest and setup. */
import { crossoverHistoryNeeded, crossoverStrategy } from './crossover.ts';
import { evaluateStrategy as evaluate, type StrategyFailure } from './evaluate.ts';
import { thresholdHistoryNeeded, thresholdStrategy } from './threshold.ts';
import {
  type BuiltinStrategyConfig,
  isFileStrategy,
  type PricePoint,
  type Signal,
  type Strategy,
  type StrategyConfig,
} from './types.ts';

export * from './anomaly.ts';
export * from './cooldown.ts';
export * from './crossover.ts';
export {
  describeError,
  STRATEGY_NAME_PATTERN,
  type StrategyFailure,
  strategyShapeProblem,
  VerdictError,
} from './evaluate.ts';
export * from './threshold.ts';
export * from './types.ts';

/** A built-in strategy's parameters → the strategy itself, of the same shape as a user's file. */
export function builtinStrategy(config: BuiltinStrategyConfig): Strategy {
  return config.name === 'crossover' ? crossoverStrategy(config) : thresholdStrategy(config);
}

const asStrategy = (strategy: Strategy | BuiltinStrategyConfig): Strategy =>
  'evaluate' in strategy ? strategy : builtinStrategy(strategy);

/** Signals raised at indices ≥ fromIndex; a built-in's parameters stand for the built-in. */
export function evaluateStrategy(
  strategy: Strategy | BuiltinStrategyConfig,
  points: readonly PricePoint[],
  fromIndex = 0,
  failures?: StrategyFailure[],
): Signal[] {
  return evaluate(asStrategy(strategy), points, fromIndex, failures);
}

/** How many earlier points the strategy needs to evaluate a new one. */
export function historyNeeded(strategy: Strategy | BuiltinStrategyConfig): number {
  if ('evaluate' in strategy) return strategy.history;
  return strategy.name === 'crossover' ? crossoverHistoryNeeded(strategy) : thresholdHistoryNeeded(strategy);
}

/** A reason the parameters cannot work, or undefined when they are fine. */
export function strategyProblem(config: BuiltinStrategyConfig): string | undefined {
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

/** `crossover short 5 long 20`, or `breakout (bundle 3f9a1c2e7b40)` for a file's strategy. */
export function describeStrategy(strategy: StrategyConfig): string {
  if (isFileStrategy(strategy)) return strategy.bundle ? `${strategy.name} (bundle ${strategy.bundle})` : strategy.name;
  return Object.entries(strategy)
    .map(([key, value]) => (key === 'name' ? String(value) : `${key} ${value}`))
    .join(' ');
}
