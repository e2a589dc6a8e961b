/** Timestamps that never repeat per symbol: (symbol, timestamp) is the quotes table's key. */
import { backoffMs } from '../core/backoff.ts';

export class MonotonicClock {
  private last = 0;
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** The current time in ms, at least 1 ms after the previous call's result. */
  tick(): number {
    this.last = Math.max(this.now(), this.last + 1);
    return this.last;
  }
}

/** Node's timers fire after 1 ms for any delay above this (with a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * setTimeout for any delay: one above Node's timer limit (about 24.8 days) waits in chunks, so
 * `--duration 999d` lasts 999 days instead of ending after 1 ms.
 */
export function setLongTimeout(callback: () => void, ms: number): { clear(): void } {
  const due = Date.now() + ms;
  let timer: NodeJS.Timeout;
  const arm = (remaining: number) => {
    timer = setTimeout(
      () => {
        const left = due - Date.now();
        if (left > 0) arm(left);
        else callback();
      },
      Math.min(Math.max(0, remaining), MAX_TIMER_MS),
    );
  };
  arm(ms);
  return { clear: () => clearTimeout(timer) };
}

/**
 * Resolves after `ms`, or at once when the signal aborts (never rejects). Even 0 waits for the
 * next turn of the event loop, so `--interval 0` never starves signals, timers and output.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  if (ms <= 0) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const done = () => {
      timer.clear();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setLongTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The producer's backoff: never shorter than its base, so a failure never makes it poll faster. */
export function producerBackoffMs(attempt: number, baseMs: number, capMs: number, random?: () => number): number {
  return backoffMs(attempt, { baseMs, capMs, floorMs: baseMs }, random);
}
