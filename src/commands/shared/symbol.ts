import { normaliseSymbol } from '../../core/event.ts';
import { quoted } from '../../core/printable.ts';
import { UsageError } from '../../errors.ts';

/**
 * A ticker as typed (any case) → the contract's upper-case symbol, or a UsageError saying what is
 * allowed. Every command's --symbol goes through here, so all accept and refuse the same.
 */
export function parseSymbol(raw: string): string {
  if (raw.trim() === '') throw new UsageError('empty symbol: give a ticker such as --symbol AAPL');
  const symbol = normaliseSymbol(raw);
  if (symbol === undefined) {
    throw new UsageError(
      `invalid symbol '${quoted(raw)}': use 1–12 characters of A–Z 0–9 . - ^ = with a letter or digit (e.g. AAPL, BRK-B, ^GSPC)`,
    );
  }
  return symbol;
}
