/**
 * The fast path of the replay's CSV reader: a bar's cells read straight from the file's bytes in
 * one pass over the line — plain decimals as numbers, the common time shapes as the contract's
 * timestamp — with no string per line or per cell. It only answers when the answer is surely the
 * text reader's own; anything else (quotes, non-ASCII or control bytes, padding, exponents, other
 * time shapes, a missing cell) says "not here" and the caller reads the line as text, so both
 * paths give the same events and the same reasons.
 */

const COMMA = 44;
const QUOTE = 34;
const SPACE = 32;
const DOT = 46;
const MINUS = 45;
const PLUS = 43;
const COLON = 58;
const ZERO = 48;
const LETTER_T = 84;
const LETTER_Z = 90;
/** 10^k for the fast decimal path: exact doubles up to 10^22. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A bar with a date only becomes an event at the US market close. */
export const DAILY_BAR_TIME = 'T20:00:00.000Z';

/** The numbers of a bar, in the order of {@link CsvBarBytes.numbers}. */
export const BAR_NUMBERS = ['price', 'open', 'high', 'low', 'volume', 'previous_close'] as const;
export type BarNumber = (typeof BAR_NUMBERS)[number];

/** What the fast path reads in a column: nothing, the time, or the bar number at BAR_NUMBERS[role - NUMBER]. */
const IGNORED = 0;
const TIME = 1;
const NUMBER = 2;

export class CsvBarBytes {
  /** One role per column of the header. */
  private readonly roles: Uint8Array;
  /**
   * The numbers of the last line read, by BAR_NUMBERS; NaN (which no cell reads as) where the file
   * has no such cell or it is empty. Typed, so that a number is not boxed on its way to the event.
   */
  readonly numbers = new Float64Array(BAR_NUMBERS.length);
  /** The last line's time as the contract's timestamp. */
  timestamp = '';
  /** The last valid date seen (`YYYY-MM-DD` as bytes): rows of one day check their date once. */
  private readonly date = new Uint8Array(10);

  /** `columns`: the header's column of the time and of each bar number it has. */
  constructor(timeColumn: number, columns: Partial<Record<BarNumber, number>>) {
    const used = [timeColumn, ...Object.values(columns)];
    this.roles = new Uint8Array(Math.max(...used) + 1);
    this.roles[timeColumn] = TIME;
    BAR_NUMBERS.forEach((name, k) => {
      const column = columns[name];
      if (column !== undefined) this.roles[column] = NUMBER + k;
    });
  }

  /** Reads the bar on bytes[from, to) into `timestamp` and `numbers`; false when the line is not one for the fast path. */
  read(bytes: Uint8Array, from: number, to: number): boolean {
    const roles = this.roles;
    this.numbers.fill(Number.NaN);
    let haveTime = false;
    let column = 0;
    let start = from;
    for (;;) {
      const role = column < roles.length ? (roles[column] as number) : IGNORED;
      // Each reader returns where its cell ends, or -1 when it cannot read it.
      const end =
        role >= NUMBER
          ? this.number(bytes, start, to, role - NUMBER)
          : role === TIME
            ? this.time(bytes, start, to)
            : cellEnd(bytes, start, to);
      if (end < 0) return false;
      haveTime ||= role === TIME;
      if (end === to) return haveTime;
      start = end + 1;
      column++;
    }
  }

  /**
   * A plain decimal of at most 15 digits into numbers[slot] (NaN when empty), read as digits ÷ 10^k,
   * which IEEE division rounds exactly as Number() does (both operands are exact doubles). Returns
   * where the cell ends, or -1 for anything else in it.
   */
  private number(bytes: Uint8Array, from: number, to: number, slot: number): number {
    let i = from;
    const sign = bytes[i];
    if (sign === MINUS || sign === PLUS) i++;
    let mantissa = 0;
    let digits = 0;
    let fraction = -1;
    for (; i < to; i++) {
      const code = bytes[i] as number;
      if (code === COMMA) break;
      if (code === DOT && fraction < 0) {
        fraction = 0;
        continue;
      }
      const digit = code - ZERO;
      if (digit < 0 || digit > 9) return -1;
      mantissa = mantissa * 10 + digit;
      digits++;
      if (fraction >= 0) fraction++;
    }
    if (i === from) return i; // empty: stays NaN
    if (digits === 0 || digits > 15) return -1;
    const value = fraction > 0 ? mantissa / (POWERS_OF_TEN[fraction] as number) : mantissa;
    this.numbers[slot] = sign === MINUS ? -value : value;
    return i;
  }

  /**
   * The time cell as the contract's timestamp when it is `YYYY-MM-DD` (a daily bar),
   * `YYYY-MM-DD HH:mm:ss`, `…THH:mm:ss[Z]` or `…THH:mm:ss.sssZ` of a valid date from 1970 on —
   * what the text reader rewrites the same way; -1 for any other shape or value, else where the cell
   * ends. Each of those shapes checks every byte it has, so the cell needs no scan of its own. The
   * string is made in one piece (not joined from parts) so that comparing it later costs no flattening.
   */
  private time(bytes: Uint8Array, from: number, to: number): number {
    const length = timeLength(bytes, from, to);
    if (length === 10) {
      if (!this.validDate(bytes, from)) return -1;
      this.timestamp = dateText(bytes, from) + DAILY_BAR_TIME;
      return from + length;
    }
    if (length < 0) return -1;
    const separator = bytes[from + 10];
    if (
      (separator !== LETTER_T && separator !== SPACE) ||
      bytes[from + 13] !== COLON ||
      bytes[from + 16] !== COLON ||
      (length === 20 && bytes[from + 19] !== LETTER_Z) ||
      (length === 24 &&
        (bytes[from + 19] !== DOT || bytes[from + 23] !== LETTER_Z || digitsAt(bytes, from + 20, 3) < 0))
    ) {
      return -1;
    }
    const hour = digitsAt(bytes, from + 11, 2);
    const minute = digitsAt(bytes, from + 14, 2);
    const second = digitsAt(bytes, from + 17, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
    if (!this.validDate(bytes, from)) return -1;
    const f = from;
    const millis = length === 24;
    // biome-ignore format: one character a position, as the timestamp reads
    this.timestamp = String.fromCharCode(
      bytes[f] as number, bytes[f + 1] as number, bytes[f + 2] as number, bytes[f + 3] as number, MINUS,
      bytes[f + 5] as number, bytes[f + 6] as number, MINUS, bytes[f + 8] as number, bytes[f + 9] as number,
      LETTER_T, bytes[f + 11] as number, bytes[f + 12] as number, COLON, bytes[f + 14] as number,
      bytes[f + 15] as number, COLON, bytes[f + 17] as number, bytes[f + 18] as number, DOT,
      millis ? (bytes[f + 20] as number) : ZERO, millis ? (bytes[f + 21] as number) : ZERO,
      millis ? (bytes[f + 22] as number) : ZERO, LETTER_Z,
    );
    return from + length;
  }

  /** Whether `YYYY-MM-DD` at `from` is a valid date from 1970 on; the same date as the last row's is known to be. */
  private validDate(bytes: Uint8Array, from: number): boolean {
    const date = this.date;
    let same = date[0] !== 0;
    for (let k = 0; same && k < 10; k++) same = bytes[from + k] === date[k];
    if (same) return true;
    if (bytes[from + 4] !== MINUS || bytes[from + 7] !== MINUS) return false;
    const year = digitsAt(bytes, from, 4);
    const month = digitsAt(bytes, from + 5, 2);
    const day = digitsAt(bytes, from + 8, 2);
    if (year < 1970 || month < 1 || month > 12) return false;
    const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (day < 1 || day > (DAYS_IN_MONTH[month - 1] as number) + (leap ? 1 : 0)) return false;
    date.set(bytes.subarray(from, from + 10));
    return true;
  }
}

/** The length of the time cell at `from` when it is one the fast path knows (10, 19, 20 or 24), else -1. */
function timeLength(bytes: Uint8Array, from: number, to: number): number {
  for (const length of TIME_LENGTHS) {
    const end = from + length;
    if (end === to || (end < to && bytes[end] === COMMA)) return length;
  }
  return -1;
}

/** The likeliest first: Yahoo's minute bars. */
const TIME_LENGTHS = [19, 10, 20, 24];

/** Where the cell at `from` ends (a comma or `to`); -1 when it holds a quote, a control or a non-ASCII byte. */
function cellEnd(bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const byte = bytes[i] as number;
    if (byte === COMMA) return i;
    if (byte < SPACE || byte > 126 || byte === QUOTE) return -1;
  }
  return to;
}

function dateText(bytes: Uint8Array, from: number): string {
  return String.fromCharCode(...bytes.subarray(from, from + 10));
}

/** The number written by `count` digits at `from`, or -1 when one of them is not a digit. */
function digitsAt(bytes: Uint8Array, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const digit = (bytes[i] as number) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
