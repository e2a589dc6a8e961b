/** Backoff for retries the SDK cannot do itself (DynamoDB UnprocessedItems). */

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  baseMs: number;
  capMs: number;
}

export const UNPROCESSED_RETRY: RetryPolicy = { retries: 6, baseMs: 50, capMs: 2000 };

/** Full-jitter exponential backoff (AWS Architecture Blog): random in [0, min(cap, base·2^attempt)). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
