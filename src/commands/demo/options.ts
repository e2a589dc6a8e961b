/** `stockpipe demo` flags → options, validated before anything starts. */
import { formatDuration, parseDuration } from '../../core/duration.ts';
import { UsageError } from '../../errors.ts';
import { parseSymbol } from '../shared/symbol.ts';
import type { DemoFlags } from './command.ts';

export type { DemoFlags };

export interface DemoOptions {
  durationMs: number;
  symbols: string[];
  /** One synthetic tick (an event per symbol) every intervalMs. */
  intervalMs: number;
  seed: number;
  /** Deliberately malformed records sent alongside, to show the quarantine path. */
  malformed: number;
  keep: boolean;
}

/** The demo's own pipeline name, used unless --name is given. */
export const DEMO_PIPELINE = 'stockpipe-demo';

export const DEMO_DEFAULTS = {
  durationMs: 60_000,
  symbols: ['AAPL', 'MSFT', 'NVDA', 'TSLA'],
  intervalMs: 100,
  seed: 42,
  malformed: 5,
} as const;

/** The shortest and longest --duration and --interval, in ms. */
const LIMITS = { duration: [5_000, 30 * 60_000], interval: [10, 10_000] } as const;

export function parseDemoFlags(flags: DemoFlags): DemoOptions {
  const durationMs = durationFlag(flags.duration, '--duration', DEMO_DEFAULTS.durationMs, LIMITS.duration);
  const intervalMs = durationFlag(flags.interval, '--interval', DEMO_DEFAULTS.intervalMs, LIMITS.interval);
  const symbols = [...new Set((flags.symbol?.length ? flags.symbol : DEMO_DEFAULTS.symbols).map(parseSymbol))];
  return {
    durationMs,
    intervalMs,
    symbols,
    seed: wholeNumber(flags.seed, DEMO_DEFAULTS.seed, '--seed', Number.MAX_SAFE_INTEGER),
    malformed: wholeNumber(flags.malformed, DEMO_DEFAULTS.malformed, '--malformed', 1000),
    keep: flags.keep === true,
  };
}

/** A duration flag in ms: `fallback` when not given, else parsed and kept within [min, max]. */
function durationFlag(
  value: string | undefined,
  flag: string,
  fallback: number,
  [min, max]: readonly [number, number],
): number {
  return within(value === undefined ? fallback : usage(() => parseDuration(value, flag)), min, max, flag);
}

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function within(ms: number, min: number, max: number, flag: string): number {
  if (ms < min || ms > max) {
    throw new UsageError(
      `${flag} must be between ${formatDuration(min)} and ${formatDuration(max)}, got ${formatDuration(ms)}`,
    );
  }
  return ms;
}

function wholeNumber(raw: string | undefined, fallback: number, flag: string, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value > max) {
    throw new UsageError(`${flag} must be a whole number from 0 to ${max}, got '${raw}'`);
  }
  return value;
}
