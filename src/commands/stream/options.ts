/**
 * `stockpipe stream` flags → validated options. Everything here runs before any network call:
 * bad input is a UsageError (exit 2, one line) and nothing is sent.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDuration } from '../../core/duration.ts';
import { UsageError } from '../../errors.ts';
import { readInputFile } from '../../input-file.ts';
import { replayFormat } from '../../producer/replay.ts';
import { DRIFTS, type Drift, SYNTHETIC_DEFAULTS, type SyntheticOptions } from '../../producer/synthetic.ts';
import { parseSymbol } from '../shared/symbol.ts';
import type { StreamFlags } from './command.ts';

export const SOURCES = ['yahoo', 'synthetic', 'replay'] as const;
export type SourceName = (typeof SOURCES)[number];

/** Yahoo is polled politely; a synthetic market ticks every second so a demo shows trends in minutes. */
export const DEFAULT_INTERVAL: Record<Exclude<SourceName, 'replay'>, string> = { yahoo: '30s', synthetic: '1s' };

export type { StreamFlags };

/** The synthetic source's options that flags set (the symbols come from --symbol). */
export type SyntheticSettings = Omit<SyntheticOptions, 'symbols' | 'now' | 'newId'>;

export interface StreamOptions {
  source: SourceName;
  symbols: string[];
  intervalMs: number;
  count?: number;
  durationMs?: number;
  dryRun: boolean;
  replay?: { file: string; format: 'csv' | 'ndjson'; speed: number | 'max'; sortLimitBytes: number };
  synthetic?: SyntheticSettings;
}

const SYNTHETIC_FLAGS = ['seed', 'drift', 'volatility', 'basePrice', 'spikeEvery', 'spikeSize'] as const;
const FLAG_NAMES: Record<(typeof SYNTHETIC_FLAGS)[number], string> = {
  seed: '--seed',
  drift: '--drift',
  volatility: '--volatility',
  basePrice: '--base-price',
  spikeEvery: '--spike-every',
  spikeSize: '--spike-size',
};

export function parseStreamOptions(flags: StreamFlags, cwd: string): StreamOptions {
  const source = (flags.source ?? 'yahoo').toLowerCase();
  if (!(SOURCES as readonly string[]).includes(source)) {
    throw new UsageError(`unknown source '${flags.source}': use ${SOURCES.join(', ')}`);
  }
  const sourceName = source as SourceName;
  const symbols = collectSymbols(flags, cwd);

  for (const flag of SYNTHETIC_FLAGS) {
    if (flags[flag] !== undefined && sourceName !== 'synthetic') {
      throw new UsageError(`${FLAG_NAMES[flag]} applies to --source synthetic only`);
    }
  }
  if (sourceName !== 'replay') {
    if (flags.file !== undefined) throw new UsageError('--file applies to --source replay only');
    if (flags.speed !== undefined) throw new UsageError('--speed applies to --source replay only');
    if (flags.sortLimit !== undefined) throw new UsageError('--sort-limit applies to --source replay only');
  }

  const options: StreamOptions = {
    source: sourceName,
    symbols,
    intervalMs: 0,
    dryRun: flags.dryRun === true,
  };
  if (flags.count !== undefined) options.count = flags.count;
  if (flags.duration !== undefined) {
    options.durationMs = duration(flags.duration, '--duration');
    if (options.durationMs <= 0) throw new UsageError(`invalid --duration '${flags.duration}': it must be more than 0`);
  }

  if (sourceName === 'replay') {
    if (flags.interval !== undefined) {
      throw new UsageError('--interval does not apply to a replay: it keeps the file’s own pace (see --speed)');
    }
    options.replay = replaySettings(flags, cwd, symbols);
    return options;
  }
  if (symbols.length === 0) {
    throw new UsageError('no symbols: give at least one --symbol (e.g. --symbol AAPL) or --symbols-file');
  }
  options.intervalMs = duration(flags.interval ?? DEFAULT_INTERVAL[sourceName], '--interval');
  if (sourceName === 'synthetic') options.synthetic = syntheticSettings(flags);
  return options;
}

function collectSymbols(flags: StreamFlags, cwd: string): string[] {
  const given = [...(flags.symbol ?? [])];
  if (flags.symbolsFile !== undefined) {
    const path = resolve(cwd, flags.symbolsFile);
    const text = readInputFile(path, `--symbols-file ${flags.symbolsFile}`, 1024 * 1024);
    // One or more per line, separated by commas or spaces; # starts a comment.
    for (const line of text.split(/\r?\n/)) {
      given.push(
        ...line
          .replace(/#.*/, '')
          .split(/[\s,]+/)
          .filter(Boolean),
      );
    }
  }
  const symbols: string[] = [];
  for (const raw of given) {
    const symbol = parseSymbol(raw);
    if (!symbols.includes(symbol)) symbols.push(symbol);
  }
  return symbols;
}

export function replaySettings(
  flags: StreamFlags,
  cwd: string,
  symbols: string[],
): NonNullable<StreamOptions['replay']> {
  if (flags.file === undefined || flags.file.trim() === '') {
    throw new UsageError('--source replay needs --file <csv|ndjson>');
  }
  const file = resolve(cwd, flags.file);
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new UsageError(`replay file not found: ${flags.file}`);
  }
  if (!isFile) throw new UsageError(`replay file is not a file: ${flags.file}`);
  const format = replayFormat(file);
  if (format === 'csv') {
    if (symbols.length !== 1) {
      throw new UsageError('a CSV replay holds one symbol: give exactly one --symbol (e.g. --symbol AAPL)');
    }
    const problem = csvHeaderProblem(firstLine(file));
    if (problem) throw new UsageError(`cannot replay ${flags.file}: ${problem}`);
  }
  let speed: number | 'max' = 'max';
  if (flags.speed !== undefined && flags.speed.toLowerCase() !== 'max') {
    const value = Number(flags.speed.replace(/x$/i, ''));
    if (!Number.isFinite(value) || value <= 0 || flags.speed.trim() === '') {
      throw new UsageError(
        `invalid --speed '${flags.speed}': use a number > 0 (e.g. 60 for 60× the file’s pace) or max`,
      );
    }
    speed = value;
  }
  const sortLimitBytes =
    flags.sortLimit === undefined ? DEFAULT_SORT_LIMIT_BYTES : byteSize(flags.sortLimit, '--sort-limit');
  return { file, format, speed, sortLimitBytes };
}

/** A replay file out of time order is sorted in memory up to this size (--sort-limit). */
export const DEFAULT_SORT_LIMIT_BYTES = 64 * 1024 * 1024;
const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** 64MB, 512kb, 1GB, or a number of MB. */
function byteSize(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  const bytes = match ? Number(match[1]) * (BYTE_UNITS[(match[2] ?? 'mb').toLowerCase()] as number) : Number.NaN;
  if (!Number.isFinite(bytes) || bytes > 4 * 1024 ** 3) {
    throw new UsageError(`invalid ${flag} '${text}': use a size such as 64MB, 512KB or 1GB (at most 4GB)`);
  }
  return Math.floor(bytes);
}

/** A CSV needs a date/timestamp column and a close/price column. */
export function csvHeaderProblem(header: string): string | undefined {
  const names = header.split(',').map((name) => name.trim().replace(/^"|"$/g, '').toLowerCase());
  const has = (...aliases: string[]) => names.some((name) => aliases.includes(name));
  if (!has('date', 'timestamp', 'datetime', 'time') || !has('close', 'price')) {
    return `its header needs a date or timestamp column and a close or price column (found: ${names.join(', ') || 'nothing'})`;
  }
  return undefined;
}

function firstLine(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const bytes = readSync(fd, buffer, 0, buffer.length, 0);
    return (
      buffer
        .subarray(0, bytes)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/)[0] ?? ''
    );
  } finally {
    closeSync(fd);
  }
}

function syntheticSettings(flags: StreamFlags): SyntheticSettings {
  const settings: SyntheticSettings = { ...SYNTHETIC_DEFAULTS };
  if (flags.seed !== undefined) {
    if (!/^\d+$/.test(flags.seed.trim()) || Number(flags.seed) > 2 ** 32 - 1) {
      throw new UsageError(`invalid --seed '${flags.seed}': use a whole number from 0 to 4294967295`);
    }
    settings.seed = Number(flags.seed);
  }
  if (flags.drift !== undefined) {
    const drift = flags.drift.toLowerCase();
    if (!(DRIFTS as readonly string[]).includes(drift)) {
      throw new UsageError(`invalid --drift '${flags.drift}': use ${DRIFTS.join(', ')}`);
    }
    settings.drift = drift as Drift;
  }
  if (flags.volatility !== undefined) {
    settings.volatilityPct = numberIn(flags.volatility, '--volatility', 0, 50, 'a percentage per tick from 0 to 50');
  }
  if (flags.basePrice !== undefined) {
    settings.basePrice = numberIn(flags.basePrice, '--base-price', 0.01, 1e7, 'a price > 0');
  }
  if (flags.spikeEvery !== undefined) {
    settings.spikeEvery =
      flags.spikeEvery.trim() === '0' ? 0 : positiveInteger(flags.spikeEvery, '--spike-every (ticks, 0 for none)');
  }
  if (flags.spikeSize !== undefined) {
    settings.spikePct = numberIn(flags.spikeSize, '--spike-size', 0.01, 90, 'a percentage from 0.01 to 90');
  }
  return settings;
}

function duration(text: string, flag: string): number {
  try {
    return parseDuration(text, flag);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function positiveInteger(text: string, flag: string): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1 || !Number.isSafeInteger(Number(trimmed))) {
    throw new UsageError(`invalid ${flag} '${text}': use a whole number ≥ 1`);
  }
  return Number(trimmed);
}

function numberIn(text: string, flag: string, min: number, max: number, what: string): number {
  const value = Number(text.trim().replace(/%$/, ''));
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`invalid ${flag} '${text}': use ${what}`);
  }
  return value;
}
