/**
 * The one retry loop: `call` is tried again after a jittered backoff while it throws an error
 * `retryable` accepts, or returns a result `done` rejects (the entries PutRecords refused, the
 * items BatchWriteItem left unprocessed, a query still running). It stops after `attempts` tries,
 * when the next wait would pass `budgetMs` or `mayWait` says no, or when `signal` aborts; then the
 * last error is thrown, or the last (unfinished) result returned for the caller to judge.
 * Throttling and 5xx on a whole call are the SDK's retry strategy's job, not this one's.
 */
import { setTimeout as timerSleep } from 'node:timers/promises';
import { type Backoff, backoffMs } from './backoff.ts';

export interface RetryOptions<T> {
  /** Tries in all, the first included; Infinity: until done, the budget or the signal. */
  attempts: number;
  backoff: Backoff;
  /** Whether an error is worth another try (default: none is; it propagates at once). */
  retryable?: (error: unknown) => boolean;
  /** Whether a result is final (default: every result is). */
  done?: (result: T) => boolean;
  /** The longest total wait: a wait that would pass it ends the retries. */
  budgetMs?: number;
  /** Asked before each wait; false ends the retries (a Lambda close to its timeout). */
  mayWait?: (delayMs: number) => boolean;
  /** Called before each wait with what is retried (counters, progress lines). */
  onRetry?: (retrying: Retrying<T>) => void;
  /** Aborting rejects the current wait and any further try with the signal's reason. */
  signal?: AbortSignal;
  /** Injected by tests; resolving early on abort is fine (the signal is checked after it). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export type Retrying<T> = { attempt: number; delayMs: number } & ({ error: unknown } | { result: T });

export async function retry<T>(call: (attempt: number) => Promise<T>, options: RetryOptions<T>): Promise<T> {
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => timerSleep(ms, undefined, { signal }));
  let waited = 0;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    let outcome: { error: unknown } | { result: T };
    try {
      const result = await call(attempt);
      if (options.done?.(result) ?? true) return result;
      outcome = { result };
    } catch (error) {
      if (!options.retryable?.(error)) throw error;
      outcome = { error };
    }
    const delayMs = backoffMs(attempt, options.backoff, options.random);
    const last =
      attempt + 1 >= options.attempts ||
      (options.budgetMs !== undefined && waited + delayMs > options.budgetMs) ||
      options.mayWait?.(delayMs) === false;
    if (last) {
      if ('error' in outcome) throw outcome.error;
      return outcome.result;
    }
    options.onRetry?.({ attempt, delayMs, ...outcome });
    try {
      await sleep(delayMs, options.signal);
    } finally {
      // An abort during the wait ends with the signal's reason, whatever the sleep did.
      options.signal?.throwIfAborted();
    }
    waited += delayMs;
  }
}
