/**
 * Replays a file: a CSV of bars for one symbol (Yahoo's "Download" format and friends) or NDJSON
 * events. Read line by line, so a file of any size replays in constant memory. A malformed row is
 * reported with its line number and skipped; the rest goes on.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { isIsoUtcMillis, type StockEvent } from '../core/event.ts';
import { normaliseTime, readObservation } from '../core/ingest-reader.ts';
import { changeFrom, changePercentFrom, deriveChange } from '../core/metrics.ts';
import { printable } from '../core/printable.ts';
import { type ByteLineBatch, fileByteLines } from './byte-lines.ts';
import { CsvBarBytes, DAILY_BAR_TIME } from './csv-bytes.ts';
import type { EventSource, Poll, Reporter } from './types.ts';

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

/** Lines in file order: line `first + i` is `texts[i]`, unless `numbers` says otherwise (a sorted file). */
interface LineBatch {
  texts: string[];
  first: number;
  numbers?: number[];
}

/**
 * The file's lines in batches of one read each: one await per chunk instead of per line
 * (readline's per-line promise was a third of a backtest's time), and no object per line.
 * Line breaks: \n, \r\n or \r.
 */
async function* fileLineBatches(stream: AsyncIterable<string>): AsyncGenerator<LineBatch> {
  let rest = '';
  let lineNumber = 1;
  for await (const chunk of stream) {
    let text = rest + chunk;
    // A \r at the end may be the first half of \r\n: keep it for the next chunk.
    const held = text.endsWith('\r') ? 1 : 0;
    text = text.slice(0, text.length - held);
    const texts = text.includes('\r') ? text.split(/\r\n|\n|\r/) : text.split('\n');
    rest = (texts.pop() as string) + (held ? '\r' : '');
    yield { texts, first: lineNumber };
    lineNumber += texts.length;
  }
  const last = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  if (last !== '') yield { texts: [last], first: lineNumber };
}

/** The file's lines, numbered, streamed from disk. */
async function* fileLines(file: string): AsyncGenerator<ReplayLine> {
  for await (const { texts, first } of fileLineBatches(createReadStream(file, { encoding: 'utf8' }))) {
    for (const [index, text] of texts.entries()) yield { text, lineNumber: first + index };
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
      result = parse.text(line.text, line.lineNumber);
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

/** What a replay read and skipped: rows are the file's data rows (not the header, blanks or other symbols). */
export interface ReplaySkips {
  rows: number;
  skipped: number;
  /** `line N: reason` of the first skipped row. */
  first?: string;
}

export interface ReplaySource extends EventSource {
  skips(): ReplaySkips;
}

/**
 * How a finished replay's skips end the command: every row skipped is a failure (nothing was
 * replayed, and exit 0 would hide it); some skipped is a note with the count and the first reason.
 */
export function skipVerdict(file: string, skips: ReplaySkips): { failed: boolean; line: string } | undefined {
  if (skips.skipped === 0) return undefined;
  const first = skips.first ? ` (first: ${skips.first})` : '';
  if (skips.skipped === skips.rows) {
    return { failed: true, line: `every row of ${file} was skipped: ${skips.rows} rows${first}` };
  }
  return { failed: false, line: `skipped ${skips.skipped} of ${skips.rows} rows of ${file}${first}` };
}

export function isReplaySource(source: EventSource): source is ReplaySource {
  return typeof (source as Partial<ReplaySource>).skips === 'function';
}

/** Lines read and not yet parsed: text, or a CSV file's bytes (read without a string per line). */
type Batch = LineBatch | ByteLineBatch;

function replayBatches(options: ReplayOptions): {
  batches: AsyncIterator<Batch> | Iterator<Batch>;
  close(): Promise<void> | void;
} {
  if (options.lines) {
    const sorted = options.lines;
    const batch = { texts: sorted.map((line) => line.text), numbers: sorted.map((line) => line.lineNumber), first: 0 };
    return { batches: [batch][Symbol.iterator](), close() {} };
  }
  if (options.format === 'csv') {
    const batches = fileByteLines(options.file);
    return { batches, close: async () => void (await batches.return(undefined)) };
  }
  const stream = createReadStream(options.file, { encoding: 'utf8' });
  return {
    batches: fileLineBatches(stream),
    close: () => {
      stream.destroy();
    },
  };
}

export function createReplaySource(options: ReplayOptions): ReplaySource {
  const { batches, close } = replayBatches(options);
  let batch: Batch = { texts: [], first: 0 };
  let next = 0;
  const newId = options.newId ?? randomUUID;
  const parse = parserFor(options, newId);
  let pending: StockEvent | undefined;
  let finished = false;
  const skips: ReplaySkips = { rows: 0, skipped: 0 };

  /** The next event among the lines already read; NEED_MORE once they are used up. */
  const nextRead = (): StockEvent | typeof NEED_MORE => {
    const lines = 'texts' in batch ? batch.texts.length : batch.count;
    while (next < lines) {
      const index = next++;
      let result: ParseResult;
      let lineNumber: number;
      if ('texts' in batch) {
        lineNumber = batch.numbers ? (batch.numbers[index] as number) : batch.first + index;
        result = parse.text(batch.texts[index] as string, lineNumber);
      } else {
        lineNumber = batch.first + index;
        result = (parse.bytes as ByteParser)(
          batch.bytes,
          batch.starts[index] as number,
          batch.ends[index] as number,
          lineNumber,
        );
      }
      if (result === undefined) continue;
      skips.rows++;
      if (typeof result === 'string') {
        // The first one at once, so a person sees it early; the rest are counted (skipVerdict).
        if (skips.skipped++ === 0) {
          skips.first = `line ${lineNumber}: ${printable(result)}`;
          options.report(`${options.file}:${lineNumber}: skipped: ${printable(result)}`);
        }
        continue;
      }
      return result;
    }
    return NEED_MORE;
  };

  /** The next event, reading on when the lines read so far are used up; undefined at the end. */
  const nextEvent = async (): Promise<StockEvent | undefined> => {
    if (pending) {
      const event = pending;
      pending = undefined;
      return event;
    }
    while (!finished) {
      const event = nextRead();
      if (event !== NEED_MORE) return event;
      const { value, done } = await batches.next();
      if (done) finished = true;
      else {
        batch = value;
        next = 0;
      }
    }
    return undefined;
  };

  return {
    name: 'replay',
    skips: () => ({ ...skips }),
    async poll(): Promise<Poll> {
      const events: StockEvent[] = [];
      const first = await nextEvent();
      if (!first) return { events, done: true };
      events.push(first);
      // At max speed take a batch; otherwise everything stamped with the same instant goes together.
      while (events.length < MAX_BATCH) {
        // Without an await per event while lines are at hand: a batch is one synchronous loop.
        const ready = pending ? NEED_MORE : nextRead();
        const event = ready === NEED_MORE ? await nextEvent() : ready;
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
      await close();
    },
  };
}

/** An event, the reason a row is skipped, or undefined for a line that is no row (header, blank). */
type ParseResult = StockEvent | string | undefined;
type ByteParser = (bytes: Buffer, from: number, to: number, lineNumber: number) => ParseResult;

interface Parser {
  text(line: string, lineNumber: number): ParseResult;
  /** The same line as bytes [from, to) of a read: CSV only, for speed, with the same results. */
  bytes?: ByteParser;
}

const NEED_MORE = Symbol('need more lines');

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
  const cells = new CsvCells();
  /** The fast path, made once the header says where each cell is. */
  let bar: CsvBarBytes | undefined;

  const event = (
    timestamp: string,
    price: number,
    open: number | null,
    high: number | null,
    low: number | null,
    volume: number | null,
    given: number | null,
  ): StockEvent => {
    const previous = given ?? previousClose;
    previousClose = price;
    return {
      event_id: newId(),
      symbol,
      timestamp,
      price,
      open,
      high,
      low,
      previous_close: previous,
      change: changeFrom(price, previous),
      change_percent: changePercentFrom(price, previous),
      volume,
      currency: null,
      market_state: null,
      source: 'replay',
    };
  };

  const text = (line: string): ParseResult => {
    if (line.trim() === '') return undefined;
    cells.load(line);
    if (!columns) {
      const header = cells.all().map((cell) => cell.toLowerCase());
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
      const { timestamp, ...numbers } = columns;
      bar = new CsvBarBytes(timestamp, numbers);
      return undefined;
    }
    const at = columns;
    const timeText = cells.text(at.timestamp) ?? '';
    const timestamp = toTimestamp(timeText);
    if (!timestamp) return `unreadable date/timestamp '${timeText}'`;
    const priceText = cells.text(at.price);
    const price = cells.number(at.price);
    if (typeof price !== 'number' || !(price > 0)) return `close/price '${priceText ?? ''}' is not a positive number`;
    // Field by field rather than in a loop over names: this runs once per row of a million-row file.
    const open = cells.number(at.open);
    if (typeof open === 'string') return `open '${open}' is not a number`;
    const high = cells.number(at.high);
    if (typeof high === 'string') return `high '${high}' is not a number`;
    const low = cells.number(at.low);
    if (typeof low === 'string') return `low '${low}' is not a number`;
    let volume = cells.number(at.volume);
    if (typeof volume === 'string') return `volume '${volume}' is not a number`;
    const given = cells.number(at.previous_close);
    if (typeof given === 'string') return `previous_close '${given}' is not a number`;
    if (volume !== null) {
      if (volume < 0) return `volume ${volume} is negative`;
      volume = Math.round(volume);
    }
    return event(timestamp, price, open, high, low, volume, given);
  };

  /** A row whose cells all read on the fast path; any other line (or a bad value) is read as text. */
  const bytes: ByteParser = (bytes, from, to) => {
    if (bar === undefined || !bar.read(bytes, from, to)) return text(bytes.toString('utf8', from, to));
    const numbers = bar.numbers;
    const price = numbers[0] as number;
    const volume = numbers[4] as number;
    // Bad values are rare: the text reader says what is wrong with them. An empty cell is NaN here,
    // so an empty price is refused (not > 0) and an empty volume is not (not < 0).
    if (!(price > 0) || volume < 0) return text(bytes.toString('utf8', from, to));
    const whole = Number.isNaN(volume) ? null : Math.round(volume);
    // biome-ignore format: by BAR_NUMBERS, one a column
    return event(bar.timestamp, price, orNull(numbers[1]), orNull(numbers[2]), orNull(numbers[3]), whole, orNull(numbers[5]));
  };

  return { text, bytes };
}

/** One of CsvBarBytes' numbers as an event's field: NaN means no value. */
function orNull(value: number | undefined): number | null {
  return Number.isNaN(value) ? null : (value as number);
}

function ndjsonParser(symbols: Set<string>, newId: () => string): Parser {
  const previousClose = new Map<string, number>();
  const text = (line: string): ParseResult => {
    if (line.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return 'not valid JSON';
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
    // The ingest door's own reader, so whatever the stream stores can be replayed (times without
    // milliseconds, numbers as text). A replay is a new observation: its own event_id, source "replay".
    const result = readObservation(value);
    if (!result.ok) return result.detail;
    const event: StockEvent = { ...result.event, event_id: newId(), source: 'replay' };
    if (symbols.size > 0 && !symbols.has(event.symbol)) return undefined;
    if (event.previous_close === null) event.previous_close = previousClose.get(event.symbol) ?? null;
    if (event.change === null && event.change_percent === null) {
      Object.assign(event, deriveChange(event.price, event.previous_close));
    }
    previousClose.set(event.symbol, event.price);
    return event;
  };
  return { text };
}

/** The file cannot be replayed at all (no usable header): the command stops with this message. */
export class ReplayFileError extends Error {
  override readonly name = 'ReplayFileError';
}

const SPACE = 32;
const TAB = 9;
const DOT = 46;
const MINUS = 45;
const PLUS = 43;
/** 10^k for the fast decimal path: exact doubles up to 10^22. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * One CSV line's cells, located but not cut: a million-row file is mostly numbers, and they parse
 * straight from the line without a substring each. Lines with quotes go through splitCsvLine.
 */
class CsvCells {
  private line = '';
  private count = 0;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private quoted: string[] | undefined;

  load(line: string): void {
    this.line = line;
    this.quoted = line.includes('"') ? splitCsvLine(line) : undefined;
    if (this.quoted) return;
    let start = 0;
    let count = 0;
    for (;;) {
      const comma = line.indexOf(',', start);
      const end = comma < 0 ? line.length : comma;
      // Trimmed here, once: spaces around a cell are not part of it.
      let from = start;
      let to = end;
      while (from < to && isBlank(line.charCodeAt(from))) from++;
      while (to > from && isBlank(line.charCodeAt(to - 1))) to--;
      this.starts[count] = from;
      this.ends[count] = to;
      count++;
      if (comma < 0) break;
      start = comma + 1;
    }
    this.count = count;
  }

  all(): string[] {
    if (this.quoted) return this.quoted.map((cell) => cell.trim());
    return Array.from({ length: this.count }, (_, index) => this.text(index) as string);
  }

  /** The cell's text, trimmed; undefined for a column the file does not have. */
  text(index: number | undefined): string | undefined {
    if (index === undefined) return undefined;
    if (this.quoted) return this.quoted[index]?.trim();
    if (index >= this.count) return undefined;
    return this.line.slice(this.starts[index], this.ends[index]);
  }

  /**
   * The cell as a number (null when empty; the text when it is not a number). A plain decimal of
   * at most 15 digits is read as digits ÷ 10^k, which IEEE division rounds exactly as Number() does
   * (both operands are exact doubles); anything else goes through Number().
   */
  number(index: number | undefined): number | null | string {
    if (index === undefined) return null;
    if (this.quoted || index >= this.count) return toNumber(this.text(index));
    const line = this.line;
    const from = this.starts[index] as number;
    const to = this.ends[index] as number;
    if (from === to) return null;
    let i = from;
    const sign = line.charCodeAt(i);
    if (sign === MINUS || sign === PLUS) i++;
    let mantissa = 0;
    let digits = 0;
    let fraction = -1;
    for (; i < to; i++) {
      const code = line.charCodeAt(i);
      if (code === DOT && fraction < 0) {
        fraction = 0;
        continue;
      }
      const digit = code - ZERO;
      if (digit < 0 || digit > 9) return toNumber(line.slice(from, to));
      mantissa = mantissa * 10 + digit;
      digits++;
      if (fraction >= 0) fraction++;
    }
    if (digits === 0 || digits > 15) return toNumber(line.slice(from, to));
    const value = fraction > 0 ? mantissa / (POWERS_OF_TEN[fraction] as number) : mantissa;
    return sign === MINUS ? -value : value;
  }
}

const ZERO = 48;
const isBlank = (code: number) => code === SPACE || code === TAB;

/** Empty → null; a number → it; anything else → the text, as the reason it is malformed. */
function toNumber(text: string | undefined): number | null | string {
  if (text === undefined || text === '') return null;
  const value = Number(text);
  if (Number.isFinite(value)) return value;
  return text.length === 4 && text.toLowerCase() === 'null' ? null : text;
}

/**
 * A CSV time cell → ISO-8601 UTC with milliseconds. 2015-02-17 → the close of that day; epoch
 * seconds or milliseconds as text; `YYYY-MM-DD HH:mm` without seconds; anything else as the ingest
 * door reads times (normaliseTime: ISO-8601 with seconds, UTC when no offset).
 */
export function toTimestamp(text: string): string | undefined {
  if (text.length === 10 && /^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const iso = `${text}${DAILY_BAR_TIME}`;
    return isIsoUtcMillis(iso) ? iso : undefined;
  }
  const time = normaliseTime(text);
  if (time !== undefined) return time;
  if (/^\d{10}(\.\d+)?$|^\d{13}$/.test(text)) return normaliseTime(Number(text));
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}$/.test(text)) return normaliseTime(`${text}:00`);
  return undefined;
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
