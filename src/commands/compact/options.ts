/** `stockpipe compact` flags → validated options (UsageError, exit 2, before anything is read). */
import { closedBefore, RAW_BY_DATE, RAW_BY_MONTH } from '../../core/lake.ts';
import { UsageError } from '../../errors.ts';

export interface CompactFlags {
  before?: string;
  dryRun?: boolean;
}

export interface CompactOptions {
  /** Days of live data before this one (YYYY-MM-DD) are compacted. */
  beforeDay: string;
  /** Months of history before this one (YYYY-MM) are compacted. */
  beforeMonth: string;
  dryRun: boolean;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * By default every closed period: days before yesterday, months before yesterday's month (ingest
 * still writes today's and yesterday's records by date, and the older days of yesterday's month
 * by month). `--before <month>` stops at that month, for both.
 */
export function parseCompactOptions(flags: CompactFlags, now: Date): CompactOptions {
  const dryRun = flags.dryRun === true;
  const closed = { beforeDay: closedBefore(RAW_BY_DATE, now), beforeMonth: closedBefore(RAW_BY_MONTH, now) };
  if (flags.before === undefined) return { ...closed, dryRun };
  if (!MONTH.test(flags.before)) {
    throw new UsageError(`invalid --before '${flags.before}': use a month as YYYY-MM (e.g. --before 2026-01)`);
  }
  if (flags.before > closed.beforeMonth) {
    throw new UsageError(
      `invalid --before '${flags.before}': months from ${closed.beforeMonth} on may still receive data; use --before ${closed.beforeMonth} or earlier`,
    );
  }
  return { beforeDay: `${flags.before}-01`, beforeMonth: flags.before, dryRun };
}
