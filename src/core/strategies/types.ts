/** What every trend strategy consumes and produces. */

export type SignalKind = 'BUY' | 'SELL' | 'ANOMALY';
/** The built-in strategies, chosen by name. */
export type StrategyName = 'crossover' | 'threshold';
export const BUILTIN_STRATEGIES: readonly StrategyName[] = ['crossover', 'threshold'];

/**
 * One observation of one symbol, in time order: the data contract's market fields
 * (docs/data-contract.md). The trends function and the backtest hand a strategy the same fields.
 */
export interface PricePoint {
  timestamp: string;
  price: number;
  change_percent?: number | null;
  open?: number | null;
  high?: number | null;
  low?: number | null;
  previous_close?: number | null;
  change?: number | null;
  volume?: number | null;
}

/** What `evaluate` may return: no signal, a signal, or a signal with the numbers behind it. */
export type StrategyVerdict =
  | undefined
  | 'BUY'
  | 'SELL'
  | { signal: 'BUY' | 'SELL'; indicators?: Record<string, number> };

/**
 * A strategy: the built-ins and a user's file have this one shape (docs/strategies.md).
 * `evaluate(points, i)` judges points[i], with points[0 … i−1] as its history; it is called only
 * for i ≥ history. It is called once per point, so it must not allocate unless it signals.
 */
export interface Strategy {
  /** Shown in alerts and summaries: [a-z0-9-], at most 32 characters. */
  readonly name: string;
  /** Points needed before a point can be judged (a whole number ≥ 0). */
  readonly history: number;
  evaluate(points: readonly PricePoint[], i: number): StrategyVerdict;
}

/** A signal and the point that raised it. */
export interface Signal {
  /** Index of the raising point in the evaluated series. */
  index: number;
  signal: SignalKind;
  /** The strategy's name ('anomaly' for the anomaly alerts). */
  strategy: string;
  timestamp: string;
  price: number;
  /** The indicator values behind the decision, e.g. sma_short and sma_long. */
  indicators: Record<string, number>;
}

export interface CrossoverParams {
  /** Short SMA window (default 5). */
  short: number;
  /** Long SMA window (default 20). */
  long: number;
}

export interface ThresholdParams {
  /** Minimum move over the lookback, in percent (default 1.5). */
  threshPct: number;
  /** How many points back the move is measured (default 15). */
  lookback: number;
  /** Window of the average the price must clear (default 20). */
  smaWindow: number;
  /** No signal before this many points (default 20). */
  minPoints: number;
  /** How far beyond its average the price must be, in percent (default 0.2). */
  epsPct: number;
}

export type BuiltinStrategyConfig =
  | ({ name: 'crossover' } & CrossoverParams)
  | ({ name: 'threshold' } & ThresholdParams);

/**
 * A strategy from the user's file, as setup deploys it: the trends zip carries its bundle. Read
 * back from a deployed function, only the name is known (file and bundle are '').
 */
export interface FileStrategyConfig {
  name: string;
  /** Absolute path of the file. */
  file: string;
  /** Short hash of the bundle (hex), as the plan shows it. */
  bundle: string;
}

export type StrategyConfig = BuiltinStrategyConfig | FileStrategyConfig;

/** The file a file's strategy has in the trends zip, beside the handler's index.mjs. */
export const STRATEGY_MODULE = 'strategy.mjs';

export function isFileStrategy(config: StrategyConfig): config is FileStrategyConfig {
  return 'file' in config;
}

export const DEFAULT_CROSSOVER: CrossoverParams = { short: 5, long: 20 };
export const DEFAULT_THRESHOLD: ThresholdParams = {
  threshPct: 1.5,
  lookback: 15,
  smaWindow: 20,
  minPoints: 20,
  epsPct: 0.2,
};
