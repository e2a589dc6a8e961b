/** What every trend strategy consumes and produces. */

export type SignalKind = 'BUY' | 'SELL' | 'ANOMALY';
export type StrategyName = 'crossover' | 'threshold';

/** One observation of one symbol, in arrival (timestamp) order. */
export interface PricePoint {
  timestamp: string;
  price: number;
  change_percent?: number | null;
}

/** A signal and the point that raised it. */
export interface Signal {
  /** Index of the raising point in the evaluated series. */
  index: number;
  signal: SignalKind;
  strategy: StrategyName | 'anomaly';
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

export type StrategyConfig = ({ name: 'crossover' } & CrossoverParams) | ({ name: 'threshold' } & ThresholdParams);

export const DEFAULT_CROSSOVER: CrossoverParams = { short: 5, long: 20 };
export const DEFAULT_THRESHOLD: ThresholdParams = {
  threshPct: 1.5,
  lookback: 15,
  smaWindow: 20,
  minPoints: 20,
  epsPct: 0.2,
};
