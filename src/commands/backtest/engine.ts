/**
 * The backtest proper: the trends function's strategy and cooldown over a time-ordered series of
 * observations, with no table in between. Points are evaluated in chunks that carry the
 * strategy's history along — exactly what the handler does with a stream batch and the points it
 * reads back — so the signals are the handler's, in constant memory per symbol.
 */
import {
  type BuiltinStrategyConfig,
  Cooldown,
  evaluateStrategy,
  historyNeeded,
  type PricePoint,
  type SignalKind,
  type Strategy,
  type StrategyFailure,
} from '../../core/strategies/index.ts';

/** Points evaluated per strategy call: large enough to amortise the call, small enough to stay in cache. */
const CHUNK = 2048;

export interface ObservedPoint extends PricePoint {
  symbol: string;
}

export interface BacktestAlert {
  symbol: string;
  timestamp: string;
  signal: SignalKind;
  strategy: string;
  price: number;
  indicators: Record<string, number>;
}

export interface SymbolSummary {
  symbol: string;
  rows: number;
  from: string;
  to: string;
  buy: number;
  sell: number;
  /** Signals the cooldown suppressed (the same kind alerted less than the cooldown before). */
  cooled_down: number;
  /** Round trips of the long-only reading: BUY opens a position when flat, SELL closes it. */
  trades: number;
  /** Long-only return in percent; a position still open at the end is valued at the last price. */
  return_pct: number;
  buy_and_hold_pct: number;
}

export interface BacktestResult {
  rows: number;
  alerts: BacktestAlert[];
  symbols: SymbolSummary[];
  /** Points the strategy could not judge (it threw or returned no verdict), as the trends function counts them. */
  strategyErrors: number;
  /** The first of them, for the one line that reports them. */
  firstStrategyError?: StrategyFailure & { symbol: string };
}

/** A row that is not later than the previous row of its symbol: a backtest needs time order. */
export class OutOfOrderError extends Error {
  override readonly name = 'OutOfOrderError';
}

interface SymbolState {
  symbol: string;
  buffer: PricePoint[];
  /** Points of `buffer` kept as history only: already evaluated. */
  evaluated: number;
  rows: number;
  first: PricePoint;
  last: PricePoint;
  cooldown: Cooldown;
  buy: number;
  sell: number;
  cooledDown: number;
  trades: number;
  growth: number;
  entry: number | undefined;
}

export class Backtest {
  private readonly strategy: Strategy | BuiltinStrategyConfig;
  private readonly cooldownMs: number;
  private readonly history: number;
  private readonly states = new Map<string, SymbolState>();
  private readonly alerts: BacktestAlert[] = [];
  private readonly failures: StrategyFailure[] = [];
  private strategyErrors = 0;
  private firstStrategyError: (StrategyFailure & { symbol: string }) | undefined;
  private rows = 0;

  constructor(strategy: Strategy | BuiltinStrategyConfig, cooldownMs: number) {
    this.strategy = strategy;
    this.cooldownMs = cooldownMs;
    this.history = historyNeeded(strategy);
  }

  add(point: ObservedPoint): void {
    // The observation itself is the strategy's point: no copy per row of a million-row file.
    const pricePoint: PricePoint = point;
    let state = this.states.get(point.symbol);
    if (!state) {
      state = this.newState(point.symbol, pricePoint);
      this.states.set(point.symbol, state);
    } else if (point.timestamp <= state.last.timestamp) {
      throw new OutOfOrderError(
        `a ${point.symbol} row at ${point.timestamp} follows one at ${state.last.timestamp}: rows must be in time order per symbol`,
      );
    }
    this.rows++;
    state.rows++;
    state.last = pricePoint;
    state.buffer.push(pricePoint);
    if (state.buffer.length >= state.evaluated + CHUNK) this.evaluate(state);
  }

  finish(): BacktestResult {
    const symbols: SymbolSummary[] = [];
    for (const state of [...this.states.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : 1))) {
      this.evaluate(state);
      const growth = state.entry === undefined ? state.growth : (state.growth * state.last.price) / state.entry;
      symbols.push({
        symbol: state.symbol,
        rows: state.rows,
        from: state.first.timestamp,
        to: state.last.timestamp,
        buy: state.buy,
        sell: state.sell,
        cooled_down: state.cooledDown,
        trades: state.trades,
        return_pct: percent(growth),
        buy_and_hold_pct: percent(state.last.price / state.first.price),
      });
    }
    const alerts = [...this.alerts].sort((a, b) =>
      a.timestamp === b.timestamp ? (a.symbol < b.symbol ? -1 : 1) : a.timestamp < b.timestamp ? -1 : 1,
    );
    return {
      rows: this.rows,
      alerts,
      symbols,
      strategyErrors: this.strategyErrors,
      ...(this.firstStrategyError ? { firstStrategyError: this.firstStrategyError } : {}),
    };
  }

  private newState(symbol: string, first: PricePoint): SymbolState {
    return {
      symbol,
      buffer: [],
      evaluated: 0,
      rows: 0,
      first,
      last: first,
      cooldown: new Cooldown(this.cooldownMs),
      buy: 0,
      sell: 0,
      cooledDown: 0,
      trades: 0,
      growth: 1,
      entry: undefined,
    };
  }

  /** The strategy at every point not yet evaluated; then only the history the next chunk needs is kept. */
  private evaluate(state: SymbolState): void {
    if (state.buffer.length === state.evaluated) return;
    const signals = evaluateStrategy(this.strategy, state.buffer, state.evaluated, this.failures);
    if (this.failures.length > 0) {
      this.strategyErrors += this.failures.length;
      this.firstStrategyError ??= { symbol: state.symbol, ...(this.failures[0] as StrategyFailure) };
      this.failures.length = 0;
    }
    for (const signal of signals) {
      if (state.cooldown.isCoolingDown(signal.signal, signal.timestamp)) {
        state.cooledDown++;
        continue;
      }
      state.cooldown.remember(signal.signal, signal.timestamp);
      this.alerts.push({
        symbol: state.symbol,
        timestamp: signal.timestamp,
        signal: signal.signal,
        strategy: signal.strategy,
        price: signal.price,
        indicators: signal.indicators,
      });
      if (signal.signal === 'BUY') {
        state.buy++;
        state.entry ??= signal.price;
      } else if (signal.signal === 'SELL') {
        state.sell++;
        if (state.entry !== undefined) {
          state.growth *= signal.price / state.entry;
          state.entry = undefined;
          state.trades++;
        }
      }
    }
    state.buffer = this.history === 0 ? [] : state.buffer.slice(-this.history);
    state.evaluated = state.buffer.length;
  }
}

/** A growth factor as a percentage change, 2 decimals. */
function percent(factor: number): number {
  return Math.round((factor - 1) * 10_000) / 100;
}
