/**
 * Exponential backoff with jitter, for the retries the SDK does not do itself (retry.ts: Kinesis
 * PutRecords entries, DynamoDB UnprocessedItems, Yahoo's 429s): a random wait between `floorMs`
 * and min(cap, base·2^attempt). A floor of 0 is the "full jitter" of the AWS Architecture Blog;
 * the producer keeps a floor of one base so a failure never makes it poll faster than usual.
 */
export interface Backoff {
  baseMs: number;
  capMs: number;
  /** The shortest wait (default 0: full jitter). */
  floorMs?: number;
  /** false: wait exactly min(cap, base·2^attempt), for waits a test or a contract fixes. */
  jitter?: boolean;
}

export function backoffMs(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** attempt);
  if (backoff.jitter === false) return ceiling;
  const floor = Math.min(backoff.floorMs ?? 0, ceiling);
  return Math.floor(floor + random() * (ceiling - floor));
}
