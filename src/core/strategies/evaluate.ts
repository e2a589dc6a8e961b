/**
 * The one way any strategy — built-in or a user's file — is run: evaluate(points, i) at every
 * point from the first new one on (never before `history`), each verdict checked. A point whose
 * evaluation throws or returns something else than the contract's shapes raises no signal and is
 * reported as a failure: the trends function logs and counts it, the backtest reports it, and
 * neither stops.
 */
import type { PricePoint, Signal, Strategy } from './types.ts';

/** A point the strategy could not judge. */
export interface StrategyFailure {
  index: number;
  timestamp: string;
  /** `TypeError: …`, or what the wrong verdict was. */
  error: string;
}

/** Strategy names: shown in alerts, in the trends function's environment (STRATEGY) and in file names. */
export const STRATEGY_NAME_PATTERN = /^[a-z0-9-]{1,32}$/;
/** Names a file may not take: the built-ins' and the anomaly alerts'. */
const RESERVED_NAMES: readonly string[] = ['crossover', 'threshold', 'anomaly'];

/**
 * Signals raised at indices ≥ fromIndex (earlier points serve as history only). Failures go to
 * `failures` when given; a point that fails raises nothing either way.
 */
export function evaluateStrategy(
  strategy: Strategy,
  points: readonly PricePoint[],
  fromIndex = 0,
  failures?: StrategyFailure[],
): Signal[] {
  const signals: Signal[] = [];
  for (let i = Math.max(fromIndex, strategy.history); i < points.length; i++) {
    let signal: Signal | undefined;
    try {
      signal = signalAt(strategy, points, i);
    } catch (error) {
      failures?.push({ index: i, timestamp: (points[i] as PricePoint).timestamp, error: describeError(error) });
      continue;
    }
    if (signal) signals.push(signal);
  }
  return signals;
}

/** The strategy's verdict on points[i] as a Signal (undefined: none); throws on a wrong shape. */
function signalAt(strategy: Strategy, points: readonly PricePoint[], i: number): Signal | undefined {
  const verdict: unknown = strategy.evaluate(points, i);
  if (verdict === undefined) return undefined;
  let kind: 'BUY' | 'SELL';
  let indicators: Record<string, number> = {};
  if (verdict === 'BUY' || verdict === 'SELL') kind = verdict;
  else if (typeof verdict === 'object' && verdict !== null && !Array.isArray(verdict)) {
    const { signal, indicators: given } = verdict as { signal?: unknown; indicators?: unknown };
    if (signal !== 'BUY' && signal !== 'SELL') throw new VerdictError(`returned a signal of ${show(signal)}`);
    kind = signal;
    if (given !== undefined) indicators = checkedIndicators(given);
  } else throw new VerdictError(`returned ${show(verdict)}`);
  const point = points[i] as PricePoint;
  return {
    index: i,
    signal: kind,
    strategy: strategy.name,
    timestamp: point.timestamp,
    price: point.price,
    indicators,
  };
}

/** Indicators are stored with the alert (DynamoDB numbers): finite numbers only, under plain names. */
function checkedIndicators(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VerdictError(`returned indicators of ${show(value)}: expected { name: number }`);
  }
  // for…in over own keys, not Object.entries: no array per signal (a backtest checks ~50,000).
  for (const name in value) {
    if (!Object.hasOwn(value, name)) continue;
    const number = (value as Record<string, unknown>)[name];
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      throw new VerdictError(`returned indicator ${name} = ${show(number)}: expected a finite number`);
    }
  }
  return value as Record<string, number>;
}

/** A verdict outside the contract. */
export class VerdictError extends Error {
  override readonly name = 'VerdictError';
  constructor(what: string) {
    super(`${what}; expected undefined, 'BUY', 'SELL' or { signal: 'BUY' | 'SELL', indicators }`);
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `thrown ${show(error)}`;
}

/**
 * Why a module's default export is not a strategy, or undefined when it is one. `exported` is
 * the module namespace's default.
 */
export function strategyShapeProblem(exported: unknown): string | undefined {
  if (exported === undefined) return 'no default export: `export default { name, history, evaluate(points, i) }`';
  if (typeof exported !== 'object' || exported === null) {
    return `the default export is ${show(exported)}, not { name, history, evaluate(points, i) }`;
  }
  const { name, history, evaluate } = exported as Record<string, unknown>;
  if (typeof name !== 'string' || !STRATEGY_NAME_PATTERN.test(name)) {
    return `name ${show(name)} must be 1–32 characters of a-z, 0-9 and -`;
  }
  if (RESERVED_NAMES.includes(name)) return `name '${name}' belongs to a built-in strategy: choose another`;
  if (typeof history !== 'number' || !Number.isInteger(history) || history < 0) {
    return `history ${show(history)} must be a whole number ≥ 0`;
  }
  if (typeof evaluate !== 'function') return 'evaluate must be a function evaluate(points, i)';
  return undefined;
}
