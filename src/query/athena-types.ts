/**
 * Athena's result-set values are all strings (VarCharValue); the column metadata says what they
 * are. Pure, so it is unit-tested without a client.
 */
import type { ColumnKind, ResultValue } from './runner.ts';

const NUMBER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint', 'double', 'float', 'real', 'decimal']);

/** `decimal(10,2)` → number; `array<int>` → string (shown as Athena prints it). */
export function columnKind(athenaType: string | undefined): ColumnKind {
  const base = (athenaType ?? 'varchar').toLowerCase().replace(/\(.*$/, '').trim();
  if (NUMBER_TYPES.has(base)) return 'number';
  if (base === 'boolean') return 'boolean';
  return 'string';
}

/** A missing VarCharValue is SQL NULL. Integers beyond 2^53 stay strings rather than lose digits. */
export function typedValue(raw: string | undefined, kind: ColumnKind): ResultValue {
  if (raw === undefined) return null;
  if (kind === 'number') {
    const lower = raw.toLowerCase();
    if (lower === 'nan') return Number.NaN;
    if (lower === 'infinity') return Number.POSITIVE_INFINITY;
    if (lower === '-infinity') return Number.NEGATIVE_INFINITY;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) return raw;
    if (/^-?\d+$/.test(raw.trim()) && !Number.isSafeInteger(value)) return raw;
    return value;
  }
  if (kind === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}
