/** Retries the SDK cannot do itself (DynamoDB UnprocessedItems), with full-jitter backoff. */
import type { Backoff } from '../../src/core/backoff.ts';

export { backoffMs } from '../../src/core/backoff.ts';

export interface RetryPolicy extends Backoff {
  /** Attempts after the first. */
  retries: number;
}

export const UNPROCESSED_RETRY: RetryPolicy = { retries: 6, baseMs: 50, capMs: 2000 };

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
