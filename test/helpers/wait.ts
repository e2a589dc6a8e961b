/**
 * The one way a test waits for something that happens on its own schedule: poll until the probe
 * holds, fail with what was awaited once a deadline passes. Never a fixed sleep that races the
 * code under test.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this long (default 60 s; a bound on failure, never on success). */
  timeoutMs?: number;
  /** Pause between probes (default 50 ms). */
  intervalMs?: number;
}

/** Polls `probe` until it returns a truthy value, and returns that value. */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  what: string,
  { timeoutMs = 60_000, intervalMs = 50 }: WaitOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Polls `check` until it returns `true`; a string it returns instead is the latest reason it does
 * not hold, quoted in the timeout error.
 */
export async function waitUntil(
  check: () => Promise<boolean | string> | boolean | string,
  what: string,
  { timeoutMs = 45_000, intervalMs = 200 }: WaitOptions = {},
): Promise<void> {
  let last: boolean | string = false;
  await waitFor(
    async () => {
      last = await check();
      return last === true;
    },
    what,
    { timeoutMs, intervalMs },
  ).catch((error: Error) => {
    throw new Error(`${error.message}${typeof last === 'string' ? ` (${last})` : ''}`);
  });
}
