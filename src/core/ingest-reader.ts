/**
 * The tolerant reader at the ingest door: any JSON object that carries a symbol, a positive price
 * and a time is an observation, whoever produced it (the tutorial's boto3 script, `aws kinesis
 * put-record`, Java code). It is normalised to data contract v1 — the only shape stored — and
 * only what cannot be an observation is rejected, with its reason. docs/data-contract.md lists
 * every variant accepted here. Pure: no I/O, bundled into the ingest Lambda.
 */
import { createHash } from 'node:crypto';
import {
  decodeRecord,
  describeType,
  EVENT_SOURCES,
  type EventSource,
  normaliseSymbol,
  reject,
  type StockEvent,
  truncate,
  type Validation,
  validateEvent,
  wrongType,
} from './event.ts';
import { deriveChange } from './metrics.ts';

/** What a producer that does not name itself is recorded as. */
export const EXTERNAL_SOURCE: EventSource = 'external';

/**
 * `2026-11-22T14:30:00Z`, `…:00.123456Z`, `…:00.123456789+02:00`, `2026-11-22 14:30:00` (UTC when
 * no offset): seconds required, 0–9 fractional digits, `T` or a space.
 */
const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
/** A plain decimal number as text (`"187.3"`, `" 1e3 "`); not hex, not `""`, not `"Infinity"`. */
const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Epoch numbers below this are seconds, above it milliseconds (1e11 s is the year 5138). */
const EPOCH_MS_FROM = 1e11;
/** Latest instant a timestamp may name: 9999-12-31T23:59:59.999Z (ISO-8601's four-digit years). */
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const OPTIONAL_NUMBERS = ['open', 'high', 'low', 'previous_close', 'change', 'change_percent'] as const;

/** How far ahead of the reader's clock a time may be: a producer's clock runs a little fast, not a day. */
export const MAX_AHEAD_MS = 86_400_000;

/** Read raw Kinesis bytes as an observation: size, UTF-8 JSON, then {@link readObservation}. */
export function readRecord(payload: string | Uint8Array, now: Date = new Date()): Validation {
  const decoded = decodeRecord(payload);
  return decoded.ok ? readObservation(decoded.value, now) : decoded;
}

/**
 * Normalise a parsed value to a contract event. Rejected for a missing or unusable symbol, price
 * or time (from 1970 to a day after `now`), and for numbers storage would refuse or that cannot
 * be true (a negative price of any kind); an optional field that is not a number or text at all
 * becomes null rather than losing the observation.
 */
export function readObservation(value: unknown, now: Date = new Date()): Validation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('not_object', `expected a JSON object, got ${describeType(value)}`);
  }
  const input = value as Record<string, unknown>;
  for (const field of ['symbol', 'timestamp', 'price'] as const) {
    if (input[field] === undefined || input[field] === null) return reject('missing_field', `missing field '${field}'`);
  }

  if (typeof input.symbol !== 'string') return wrongType('symbol', 'a string', input.symbol);
  const symbol = normaliseSymbol(input.symbol);
  if (symbol === undefined) {
    return reject(
      'bad_symbol',
      `symbol '${truncate(input.symbol)}' is not 1–12 characters of A–Z 0–9 . - ^ = with a letter or digit`,
    );
  }

  const timestamp = normaliseTime(input.timestamp);
  if (timestamp === undefined) {
    return reject(
      'bad_timestamp',
      `timestamp '${truncate(String(input.timestamp))}' is neither ISO-8601 (with seconds) nor epoch seconds/milliseconds from 1970`,
    );
  }
  if (Date.parse(timestamp) > now.getTime() + MAX_AHEAD_MS) {
    return reject('bad_timestamp', `timestamp ${timestamp} is more than a day ahead of ${now.toISOString()}`);
  }

  const price = toNumber(input.price);
  if (price === undefined) return wrongType('price', 'a number', input.price);
  if (!Number.isFinite(price)) return reject('not_finite', `price must be a finite number, got ${input.price}`);
  if (price <= 0) return reject('non_positive_price', `price must be > 0, got ${input.price}`);

  const numbers = Object.fromEntries(OPTIONAL_NUMBERS.map((field) => [field, optionalNumber(input[field])])) as Record<
    (typeof OPTIONAL_NUMBERS)[number],
    number | null
  >;
  if (numbers.change === null && numbers.change_percent === null && numbers.previous_close !== null) {
    Object.assign(numbers, deriveChange(price, numbers.previous_close));
  }
  const volume = optionalNumber(input.volume);

  const event: StockEvent = {
    event_id: usableEventId(input.event_id) ?? observationId(symbol, timestamp),
    symbol,
    timestamp,
    price,
    ...numbers,
    // A whole float (1234.0) is a volume, a fraction is not; range and sign are the contract's to check.
    volume: volume !== null && Number.isInteger(volume) ? volume : null,
    currency: optionalString(input.currency),
    market_state: optionalString(input.market_state),
    source: sourceOf(input.source),
  };
  // The strict contract check stays the last word on what is stored.
  return validateEvent(event);
}

/**
 * The id of an observation that came without one: a UUID (version 5 layout) of symbol and
 * normalised timestamp, so a producer's retry of the same observation is the same event.
 */
export function observationId(symbol: string, timestamp: string): string {
  const hash = createHash('sha1').update(`stockpipe/observation/v1\n${symbol}\n${timestamp}`).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A time as ISO-8601 UTC with milliseconds, or undefined when it names no instant from 1970 on. */
export function normaliseTime(value: unknown): string | undefined {
  let ms: number | undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    ms = Math.abs(value) < EPOCH_MS_FROM ? value * 1000 : value;
    ms = Math.floor(ms);
  } else if (typeof value === 'string') {
    const text = value.trim();
    const canonical = canonicalUtc(text);
    if (canonical !== undefined) return canonical;
    ms = parseIso(text);
  }
  if (ms === undefined || ms < 0 || ms > MAX_TIME_MS) return undefined;
  return new Date(ms).toISOString();
}

const ZERO = 48;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number of the digits at [from, to), or -1 when one of them is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The common shapes — `2026-11-22T14:30:00.123Z` (the contract's own), `2026-11-22 14:30:00` and
 * `2026-11-22T14:30:00[Z]` — checked and rewritten without a Date or a regular expression: a
 * replayed or backtested file is a million of them. Undefined for anything else (parseIso reads it).
 */
function canonicalUtc(text: string): string | undefined {
  const length = text.length;
  if (length !== 19 && length !== 20 && length !== 24) return undefined;
  const separator = text.charCodeAt(10);
  if (
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    (separator !== 84 && separator !== 32) || // T or space
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58
  ) {
    return undefined;
  }
  let millis = '.000';
  if (length === 20 && text.charCodeAt(19) !== 90) return undefined; // Z
  if (length === 24) {
    if (text.charCodeAt(19) !== 46 || text.charCodeAt(23) !== 90 || digits(text, 20, 23) < 0) return undefined;
    millis = text.slice(19, 23);
  }
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  // Rows of one day follow each other: its date is checked once, then matched.
  if (!text.startsWith(lastDate)) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 7);
    const day = digits(text, 8, 10);
    if (year < 1970 || month < 1 || month > 12) return undefined;
    const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (day < 1 || day > (DAYS_IN_MONTH[month - 1] as number) + (leap ? 1 : 0)) return undefined;
    lastDate = text.slice(0, 10);
    lastDateT = `${lastDate}T`;
  }
  return `${lastDateT}${text.slice(11, 19)}${millis}Z`;
}

/** The last date canonicalUtc found valid (`YYYY-MM-DD`), and it with the `T` that follows. */
let lastDate = '\u0000';
let lastDateT = '';

function parseIso(text: string): number | undefined {
  const match = ISO_PATTERN.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, offH, offM] = match;
  const parts = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = parts;
  // Sub-millisecond digits are cut, not rounded: 14:30:00.9999 stays in second 00.
  const millis = fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(local);
  // Date.UTC rolls 30 February over into March, and 24:00 or :60 into the next unit: refuse those.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  if (zulu || !sign) return local;
  const hours = Number(offH);
  const minutes = Number(offM);
  if (hours > 23 || minutes > 59) return undefined;
  const offset = (hours * 60 + minutes) * 60_000;
  return sign === '+' ? local - offset : local + offset;
}

/** A number, or a number written as text; undefined for anything else. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMERIC_TEXT.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** A number (or numeric text) as it is — the contract judges its range —, or null for anything else. */
function optionalNumber(value: unknown): number | null {
  return toNumber(value) ?? null;
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function usableEventId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 64 ? value : undefined;
}

/** Our own producers' names are kept; anything else (absent, another tool's name) is `external`. */
function sourceOf(value: unknown): EventSource {
  return typeof value === 'string' && (EVENT_SOURCES as readonly string[]).includes(value)
    ? (value as EventSource)
    : EXTERNAL_SOURCE;
}
