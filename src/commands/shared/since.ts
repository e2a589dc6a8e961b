/** `--since` as people type it: a duration back from now (10m, 1d) or an ISO time. Negative is refused. */
import { parseDuration } from '../../core/duration.ts';
import { UsageError } from '../../errors.ts';

/** Epoch ms of the start of the window. */
export function parseSinceTime(text: string, now: number, flag = '--since'): number {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const time = Date.parse(trimmed);
    if (!Number.isFinite(time)) throw new UsageError(`invalid ${flag} '${text}': not a valid ISO time`);
    return time;
  }
  try {
    const back = parseNonNegativeDuration(text, flag);
    checkSinceReach(text, back, flag);
    return now - back;
  } catch (error) {
    if (error instanceof UsageError && /at most 36500d/.test(error.message)) throw error;
    if (error instanceof UsageError && /cannot be negative/.test(error.message)) throw error;
    throw new UsageError(`${(error as Error).message}, or an ISO time such as 2026-11-22T14:00:00Z`);
  }
}

export function parseNonNegativeDuration(text: string, flag: string): number {
  if (text.trim().startsWith('-')) throw new UsageError(`invalid ${flag} '${text}': it cannot be negative`);
  try {
    return parseDuration(text, flag);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A century back covers anything the pipeline can hold; far beyond it, date arithmetic overflows. */
const MAX_SINCE_MS = 36_500 * 86_400_000;

export function checkSinceReach(text: string, backMs: number, flag: string): void {
  if (backMs > MAX_SINCE_MS) {
    throw new UsageError(`invalid ${flag} '${text}': at most 36500d (100 years) back, or an ISO time`);
  }
}
