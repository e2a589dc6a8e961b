/**
 * Data contract v1: one stock observation as it is stored in S3 and DynamoDB (docs/data-contract.md).
 * This validator is strict — it checks the stored shape; the ingest door reads other producers'
 * records tolerantly first (ingest-reader.ts). It returns a reason instead of throwing, so the
 * ingest handler can quarantine a bad record and keep going. Pure: no I/O, safe to bundle into the Lambdas.
 */

/** Our three producers, and `external`: any other producer, as the ingest door records it. */
export const EVENT_SOURCES = ['yahoo', 'synthetic', 'replay', 'external'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

export interface StockEvent {
  event_id: string;
  symbol: string;
  /** ISO-8601 UTC with milliseconds: 2026-11-22T14:30:00.123Z */
  timestamp: string;
  price: number;
  open: number | null;
  high: number | null;
  low: number | null;
  previous_close: number | null;
  change: number | null;
  change_percent: number | null;
  volume: number | null;
  currency: string | null;
  market_state: string | null;
  source: EventSource;
}

/**
 * Upper case, 1–12 characters of A–Z 0–9 . - ^ = with at least one letter or digit (BRK-B, ^GSPC,
 * EURUSD=X; not `.` or `..`).
 */
export const SYMBOL_PATTERN = /^(?=[^A-Z0-9]*[A-Z0-9])[A-Z0-9.\-^=]{1,12}$/;

/**
 * A ticker as typed or sent (any case, spaces around) → the contract's symbol, or undefined. Upper
 * case in ASCII only: Unicode case mapping would turn look-alikes into real tickers (`ſtock` →
 * STOCK, `ﬀ` → FF, `ı` → I).
 */
export function normaliseSymbol(raw: string): string | undefined {
  const symbol = raw.trim().replace(/[a-z]+/g, (letters) => letters.toUpperCase());
  return SYMBOL_PATTERN.test(symbol) ? symbol : undefined;
}

/** Printable ASCII, as ULIDs and UUIDs are: an id never carries a control or look-alike character. */
const EVENT_ID_PATTERN = /^[\x21-\x7e]+$/;
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** A real event is ~400 bytes; anything this large is not an observation. */
export const MAX_EVENT_BYTES = 8 * 1024;
const MAX_EVENT_ID_LENGTH = 64;

export type RejectReason =
  | 'oversize'
  | 'not_json'
  | 'not_object'
  | 'missing_field'
  | 'wrong_type'
  | 'not_finite'
  | 'non_positive_price'
  | 'negative_number'
  | 'out_of_range'
  /** Passed every check, but DynamoDB refused it for good (ValidationException). */
  | 'refused_by_store'
  | 'bad_symbol'
  | 'bad_timestamp'
  | 'bad_source'
  | 'bad_event_id';

export type Rejection = { ok: false; reason: RejectReason; detail: string };
export type Validation = { ok: true; event: StockEvent } | Rejection;

const NULLABLE_NUMBERS = ['open', 'high', 'low', 'previous_close', 'change', 'change_percent'] as const;
const NULLABLE_STRINGS = ['currency', 'market_state'] as const;
/** Prices can be 0 (no trade yet) but never negative. */
const PRICE_FIELDS: ReadonlySet<string> = new Set(['open', 'high', 'low', 'previous_close']);

/**
 * What DynamoDB and its document client store: DynamoDB numbers are 0 or of magnitude
 * 1e-130 … <1e126 (38 digits), and lib-dynamodb refuses numbers beyond ±Number.MAX_SAFE_INTEGER
 * (it would lose precision). A double's 17 significant digits are always within 38.
 */
export const MIN_STORABLE_MAGNITUDE = 1e-130;

/** Whether DynamoDB (through the document client) stores this number as it is. */
export function isStorableNumber(value: number): boolean {
  if (!Number.isFinite(value)) return false;
  const magnitude = Math.abs(value);
  return magnitude === 0 || (magnitude >= MIN_STORABLE_MAGNITUDE && magnitude <= Number.MAX_SAFE_INTEGER);
}

/** Raw record bytes as a JSON value, or why not: the size limit first, then UTF-8 JSON. */
export function decodeRecord(payload: string | Uint8Array): { ok: true; value: unknown } | Rejection {
  const bytes = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
  if (bytes > MAX_EVENT_BYTES) return reject('oversize', `record is ${bytes} bytes, the limit is ${MAX_EVENT_BYTES}`);
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return reject('not_json', `not valid JSON: ${(error as Error).message}`);
  }
}

/** Validate raw bytes as they arrive from Kinesis: size, UTF-8 JSON, then the schema. */
export function parseEvent(payload: string | Uint8Array): Validation {
  const decoded = decodeRecord(payload);
  return decoded.ok ? validateEvent(decoded.value) : decoded;
}

/** Validate a parsed value against the schema; unknown fields are dropped, absent nullable fields become null. */
export function validateEvent(value: unknown): Validation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('not_object', `expected a JSON object, got ${describeType(value)}`);
  }
  const input = value as Record<string, unknown>;
  for (const field of ['event_id', 'symbol', 'timestamp', 'price', 'source'] as const) {
    if (input[field] === undefined || input[field] === null) return reject('missing_field', `missing field '${field}'`);
  }

  const { event_id, symbol, timestamp, price, source } = input;
  if (typeof event_id !== 'string') return wrongType('event_id', 'a string', event_id);
  if (event_id.length === 0 || event_id.length > MAX_EVENT_ID_LENGTH) {
    return reject('bad_event_id', `event_id must be 1–${MAX_EVENT_ID_LENGTH} characters`);
  }
  if (!EVENT_ID_PATTERN.test(event_id)) {
    return reject('bad_event_id', 'event_id must be printable ASCII without spaces (a ULID or UUID)');
  }
  if (typeof symbol !== 'string') return wrongType('symbol', 'a string', symbol);
  if (!SYMBOL_PATTERN.test(symbol)) {
    return reject('bad_symbol', `symbol '${truncate(symbol)}' is not 1–12 upper-case characters of A–Z 0–9 . - ^ =`);
  }
  if (typeof timestamp !== 'string') return wrongType('timestamp', 'a string', timestamp);
  if (!isIsoUtcMillis(timestamp)) {
    return reject('bad_timestamp', `timestamp '${truncate(timestamp)}' is not ISO-8601 UTC with milliseconds`);
  }
  const priceProblem = checkNumber('price', price);
  if (priceProblem) return priceProblem;
  if ((price as number) <= 0) return reject('non_positive_price', `price must be > 0, got ${price}`);
  const priceRange = checkStorable('price', price as number);
  if (priceRange) return priceRange;
  if (typeof source !== 'string') return wrongType('source', 'a string', source);
  if (!(EVENT_SOURCES as readonly string[]).includes(source)) {
    return reject('bad_source', `source '${truncate(source)}' is not one of ${EVENT_SOURCES.join(', ')}`);
  }

  const numbers: Partial<Record<(typeof NULLABLE_NUMBERS)[number], number | null>> = {};
  for (const field of NULLABLE_NUMBERS) {
    const fieldValue = input[field];
    if (fieldValue === undefined || fieldValue === null) {
      numbers[field] = null;
      continue;
    }
    const problem = checkNumber(field, fieldValue);
    if (problem) return problem;
    if (PRICE_FIELDS.has(field) && (fieldValue as number) < 0) {
      return reject('negative_number', `${field} is a price and must be ≥ 0, got ${fieldValue}`);
    }
    const range = checkStorable(field, fieldValue as number);
    if (range) return range;
    numbers[field] = fieldValue as number;
  }

  let volume: number | null = null;
  if (input.volume !== undefined && input.volume !== null) {
    const problem = checkNumber('volume', input.volume);
    if (problem) return problem;
    if (!Number.isInteger(input.volume)) return wrongType('volume', 'an integer', input.volume);
    if ((input.volume as number) < 0) return reject('negative_number', `volume must be ≥ 0, got ${input.volume}`);
    const range = checkStorable('volume', input.volume as number);
    if (range) return range;
    volume = input.volume as number;
  }

  const strings: Partial<Record<(typeof NULLABLE_STRINGS)[number], string | null>> = {};
  for (const field of NULLABLE_STRINGS) {
    const fieldValue = input[field];
    if (fieldValue === undefined || fieldValue === null) strings[field] = null;
    else if (typeof fieldValue !== 'string') return wrongType(field, 'a string or null', fieldValue);
    else strings[field] = fieldValue;
  }

  return {
    ok: true,
    event: {
      event_id,
      symbol,
      timestamp,
      price: price as number,
      open: numbers.open ?? null,
      high: numbers.high ?? null,
      low: numbers.low ?? null,
      previous_close: numbers.previous_close ?? null,
      change: numbers.change ?? null,
      change_percent: numbers.change_percent ?? null,
      volume,
      currency: strings.currency ?? null,
      market_state: strings.market_state ?? null,
      source: source as EventSource,
    },
  };
}

/** True for `YYYY-MM-DDTHH:mm:ss.sssZ` naming a real instant (no 30 February). */
export function isIsoUtcMillis(text: string): boolean {
  if (!TIMESTAMP_PATTERN.test(text)) return false;
  const time = Date.parse(text);
  return Number.isFinite(time) && new Date(time).toISOString() === text;
}

/** The `dt=` partition value of an event: the UTC date of its timestamp. */
export function partitionDate(timestamp: string): string {
  return timestamp.slice(0, 10);
}

function checkNumber(field: string, value: unknown): Validation | undefined {
  if (typeof value !== 'number') return wrongType(field, 'a number', value);
  if (!Number.isFinite(value)) return reject('not_finite', `${field} must be a finite number, got ${value}`);
  return undefined;
}

/** After the field's own checks (sign, integer): what DynamoDB would refuse is refused here. */
function checkStorable(field: string, value: number): Validation | undefined {
  if (!isStorableNumber(value)) {
    return reject(
      'out_of_range',
      `${field} ${value} cannot be stored: numbers are 0 or between ${MIN_STORABLE_MAGNITUDE} and ${Number.MAX_SAFE_INTEGER} in magnitude`,
    );
  }
  return undefined;
}

/** Helpers shared with the tolerant reader (ingest-reader.ts), so both say the same things. */
export function wrongType(field: string, expected: string, value: unknown): Validation {
  return reject('wrong_type', `${field} must be ${expected}, got ${describeType(value)}`);
}

export function reject(reason: RejectReason, detail: string): Rejection {
  return { ok: false, reason, detail };
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

export function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
