/** `stockpipe compact` flags → validated options (UsageError, exit 2, before anything is read). */
import { UsageError } from '../../errors.ts';

export interface CompactFlags {
  before?: string;
}

export interface CompactOptions {
  /** Months before this one (YYYY-MM) are compacted. */
  beforeMonth: string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY_MS = 86_400_000;

/** By default every closed month: those before the month of yesterday (a day's grace for late data). */
export function parseCompactOptions(flags: CompactFlags, now: Date): CompactOptions {
  const latest = new Date(now.getTime() - DAY_MS).toISOString().slice(0, 7);
  if (flags.before === undefined) return { beforeMonth: latest };
  if (!MONTH.test(flags.before)) {
    throw new UsageError(`invalid --before '${flags.before}': use a month as YYYY-MM (e.g. --before 2026-01)`);
  }
  if (flags.before > latest) {
    throw new UsageError(
      `invalid --before '${flags.before}': months from ${latest} on may still receive data; use --before ${latest} or earlier`,
    );
  }
  return { beforeMonth: flags.before };
}
