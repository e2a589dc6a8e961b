/** How many times, and how fast, DynamoDB's UnprocessedItems are retried (src/core/retry.ts). */
import type { Backoff } from '../../src/core/backoff.ts';

export interface RetryPolicy extends Backoff {
  /** Attempts after the first. */
  retries: number;
}

export const UNPROCESSED_RETRY: RetryPolicy = { retries: 6, baseMs: 50, capMs: 2000 };
