/**
 * Replays a file: a CSV of bars for one symbol (Yahoo's "Download" format and friends) or NDJSON
 * events. Read line by line, so a file of any size replays in constant memory. A malformed row is
 * reported with its line number and skipped; the rest goes on.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { isIsoUtcMillis, type StockEvent, validateEvent } from '../core/event.ts';
import { deriveChange } from '../core/metrics.ts';
import type { EventSource, Poll, Reporter } from './types.ts';

/** A bar with a date only becomes an event at the US market close. */
export const DAILY_BAR_TIME = 'T20:00:00.000Z';
/** Rows per poll at --speed max: enough to fill PutRecords calls, small enough to stay responsive. */
const MAX_BATCH = 1000;

/** One line of the file, with its number in the file (kept for reports after a sort). */
export interface ReplayLine {
  text: string;
  lineNumber: number;
}

export interface ReplayOptions {
  file: string;
  /** The file's lines in the order to replay them, when they had to be sorted (see orderReplayFile). */
  lines?: ReplayLine[];
  format: 'csv' | 'ndjson';
  /** The symbol of a CSV file; for NDJSON, only events of these symbols are replayed (all when empty). */
  symbols: string[];
  /** N× the file's own pace, or 'max'. */
  speed: number | 'max';
  report: Reporter;
  newId?: () => string;
}

/** csv unless the name ends in .ndjson / .jsonl / .json. */
export function replayFormat(file: string): 'csv' | 'ndjson' {
  return /\.(nd)?jsonl?$|\.json$/i.test(file) ? 'ndjson' : 'csv';
}

function parserFor(options: Pick<ReplayOptions, 'format' | 'symbols'>, newId: () => string): Parser {
  return options.format === 'csv'
    ? csvParser(options.symbols[0] as string, newId)
    : ndjsonParser(new Set(options.symbols), newId);
}

/** The file's lines, numbered, streamed from disk. */
async function* fileLines(file: string, stream = createReadStream(file, { encoding: 'utf8' })) {
  let lineNumber = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber++;
    yield { text, lineNumber };
  }
}

/**
 * previous_close and change are derived from the previous row of the same symbol, so rows out of
 * time order would be derived wrongly (and alerts fired on a scrambled series). Reads the file
 * once: when every symbol's rows are in time order, undefined (replay it as it streams); when not,
 * and the file is at most `sortLimitBytes`, its lines sorted by time (stable, the header first);
 * otherwise a ReplayOrderError saying where the order breaks.
 */
export async function orderReplayFile(
  options: Pick<ReplayOptions, 'file' | 'format' | 'symbols'>,
  sortLimitBytes: number,
): Promise<ReplayLine[] | undefined> {
  return (await scanReplayFile(options, sortLimitBytes)).lines;
}

/** What one read of a replay file tells before anything is sent. */
export interface ReplayScan {
  /** The lines sorted by time, when the file is out of order (see orderReplayFile). */
  lines?: ReplayLine[];
  /** The oldest timestamp of an event the replay will send, if any (the lake's tables must show it). */
  oldest?: string;
}

/** orderReplayFile, and the oldest event's timestamp, in the same one read of the file. */
export async function scanReplayFile(
  options: Pick<ReplayOptions, 'file' | 'format' | 'symbols'>,
  sortLimitBytes: number,
): Promise<ReplayScan> {
  const fits = statSync(options.file).size <= sortLimitBytes;
  // A valid id the scan never sends: the order is all it looks at.
  const parse = parserFor(options, () => '00000000-0000-4000-8000-000000000000');
  const last = new Map<string, { time: number; lineNumber: number }>();
  const keyed: { line: ReplayLine; time: number }[] = [];
  let disorder: string | undefined;
  let oldest: string | undefined;
  for await (const line of fileLines(options.file)) {
    let result: StockEvent | string | undefined;
    try {
      result = parse(line.text, line.lineNumber);
    } catch (error) {
      if (error instanceof ReplayFileError) return {}; // reported when the replay starts
      throw error;
    }
    const time = typeof result === 'object' ? Date.parse(result.timestamp) : Number.NEGATIVE_INFINITY;
    if (fits) keyed.push({ line, time });
    if (typeof result !== 'object') continue;
    if (oldest === undefined || time < Date.parse(oldest)) oldest = result.timestamp;
    const previous = last.get(result.symbol);
    if (previous && time < previous.time && disorder === undefined) {
      disorder = `line ${line.lineNumber} (${result.symbol} ${result.timestamp}) is older than line ${previous.lineNumber}`;
      if (!fits) break; // refused below: the rest of the file does not matter
    }
    if (!previous || time >= previous.time) last.set(result.symbol, { time, lineNumber: line.lineNumber });
  }
  const found = oldest === undefined ? {} : { oldest };
  if (disorder === undefined) return found;
  if (!fits) {
    throw new ReplayOrderError(
      `${options.file} is not in time order per symbol: ${disorder}; it is larger than --sort-limit ${formatBytes(sortLimitBytes)} to sort in memory: sort it by time first, or raise --sort-limit`,
    );
  }
  // Lines that are no event (the header, blanks, malformed rows) sort first and are reported as before.
  return { ...found, lines: keyed.sort((a, b) => a.time - b.time).map(({ line }) => line) };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Number((bytes / 1024 / 1024).toFixed(1))}MB` : `${bytes}B`;
}

/** The file's rows are out of time order and too large to sort: the command exits 2 with this message. */
export class ReplayOrderError extends Error {
  override readonly name = 'ReplayOrderError';
}

export function createReplaySource(options: ReplayOptions): EventSource {
  const stream = options.lines ? undefined : createReadStream(options.file, { encoding: 'utf8' });
  const lines: AsyncIterator<ReplayLine> | Iterator<ReplayLine> = stream
    ? fileLines(options.file, stream)
    : (options.lines ?? [])[Symbol.iterator]();
  const newId = options.newId ?? randomUUID;
  const parse = parserFor(options, newId);
  let pending: StockEvent | undefined;
  let finished = false;

  const nextEvent = async (): Promise<StockEvent | undefined> => {
    if (pending) {
      const event = pending;
      pending = undefined;
      return event;
    }
    while (!finished) {
      const { value, done } = await lines.next();
      if (done) {
        finished = true;
        break;
      }
      const { text, lineNumber } = value;
      const result = parse(text, lineNumber);
      if (result === undefined) continue;
      if (typeof result === 'string') {
        options.report(`${options.file}:${lineNumber}: skipped: ${result}`);
        continue;
      }
      return result;
    }
    return undefined;
  };

  return {
    name: 'replay',
    async poll(): Promise<Poll> {
      const events: StockEvent[] = [];
      const first = await nextEvent();
      if (!first) return { events, done: true };
      events.push(first);
      // At max speed take a batch; otherwise everything stamped with the same instant goes together.
      while (events.length < MAX_BATCH) {
        const event = await nextEvent();
        if (!event) return { events, done: true };
        if (options.speed !== 'max' && event.timestamp !== first.timestamp) {
          pending = event;
          const gap = Date.parse(event.timestamp) - Date.parse(first.timestamp);
          return { events, delayMs: Math.max(0, gap / options.speed) };
        }
        events.push(event);
      }
      return { events, delayMs: 0 };
    },
    async close() {
      stream?.destroy();
    },
  };
}

type Parser = (line: string, lineNumber: number) => StockEvent | string | undefined;

const COLUMN_ALIASES: Record<string, string[]> = {
  timestamp: ['timestamp', 'date', 'datetime', 'time'],
  open: ['open'],
  high: ['high'],
  low: ['low'],
  price: ['close', 'price'],
  volume: ['volume'],
  previous_close: ['previous_close', 'prev_close', 'previousclose'],
};

function csvParser(symbol: string, newId: () => string): Parser {
  let columns: Partial<Record<keyof typeof COLUMN_ALIASES, number>> | undefined;
  let previousClose: number | null = null;
  return (line) => {
    if (line.trim() === '') return undefined;
    const cells = splitCsvLine(line);
    if (!columns) {
      const header = cells.map((cell) => cell.trim().toLowerCase());
      columns = {};
      for (const [field, aliases] of Object.entries(COLUMN_ALIASES)) {
        const index = header.findIndex((name) => aliases.includes(name));
        if (index >= 0) columns[field as keyof typeof COLUMN_ALIASES] = index;
      }
      if (columns.timestamp === undefined || columns.price === undefined) {
        throw new ReplayFileError(
          `the CSV header needs a date or timestamp column and a close or price column (found: ${header.join(', ')})`,
        );
      }
      return undefined;
    }
    const cell = (field: keyof typeof COLUMN_ALIASES) => {
      const index = columns?.[field];
      return index === undefined ? undefined : cells[index]?.trim();
    };
    const timestamp = toTimestamp(cell('timestamp') ?? '');
    if (!timestamp) return `unreadable date/timestamp '${cell('timestamp') ?? ''}'`;
    const price = toNumber(cell('price'));
    if (typeof price !== 'number' || !(price > 0))
      return `close/price '${cell('price') ?? ''}' is not a positive number`;
    const bar: Record<string, number | null> = {};
    for (const field of ['open', 'high', 'low', 'volume', 'previous_close'] as const) {
      const value = toNumber(cell(field));
      if (typeof value === 'string') return `${field} '${value}' is not a number`;
      bar[field] = value;
    }
    if (bar.volume !== null && bar.volume !== undefined) {
      if ((bar.volume as number) < 0) return `volume ${bar.volume} is negative`;
      bar.volume = Math.round(bar.volume as number);
    }
    const previous = bar.previous_close ?? previousClose;
    previousClose = price;
    return {
      event_id: newId(),
      symbol,
      timestamp,
      price,
      open: bar.open ?? null,
      high: bar.high ?? null,
      low: bar.low ?? null,
      previous_close: previous,
      ...deriveChange(price, previous),
      volume: bar.volume ?? null,
      currency: null,
      market_state: null,
      source: 'replay',
    };
  };
}

function ndjsonParser(symbols: Set<string>, newId: () => string): Parser {
  const previousClose = new Map<string, number>();
  return (line) => {
    if (line.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return 'not valid JSON';
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
    // A replay is a new observation of the pipeline: its own event_id, source "replay".
    const result = validateEvent({ ...value, event_id: newId(), source: 'replay' });
    if (!result.ok) return result.detail;
    const event = result.event;
    if (symbols.size > 0 && !symbols.has(event.symbol)) return undefined;
    if (event.previous_close === null) event.previous_close = previousClose.get(event.symbol) ?? null;
    if (event.change === null && event.change_percent === null) {
      Object.assign(event, deriveChange(event.price, event.previous_close));
    }
    previousClose.set(event.symbol, event.price);
    return event;
  };
}

/** The file cannot be replayed at all (no usable header): the command stops with this message. */
export class ReplayFileError extends Error {
  override readonly name = 'ReplayFileError';
}

/** Empty → null; a number → it; anything else → the text, as the reason it is malformed. */
function toNumber(text: string | undefined): number | null | string {
  if (text === undefined || text === '' || text.toLowerCase() === 'null') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}

/** 2015-02-17 → the close of that day; ISO or "YYYY-MM-DD HH:mm[:ss]" without a zone → UTC. */
export function toTimestamp(text: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const iso = `${text}${DAILY_BAR_TIME}`;
    return isIsoUtcMillis(iso) ? iso : undefined;
  }
  if (/^\d{10}(\.\d+)?$/.test(text)) return new Date(Math.round(Number(text) * 1000)).toISOString();
  if (/^\d{13}$/.test(text)) return new Date(Number(text)).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)) return undefined;
  const normalised = text.replace(' ', 'T');
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(normalised) ? normalised : `${normalised}Z`;
  const time = Date.parse(withZone);
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}

/** Comma-separated cells; double-quoted cells may hold commas and "" for a quote. */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  cells.push(cell);
  return cells;
}
