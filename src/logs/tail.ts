/**
 * The tail loop: read once, or keep polling every 1–2 s until stopped. Each poll re-reads a
 * look-back window, because CloudWatch can ingest an event after later ones; ids already printed
 * are skipped, so nothing is shown twice. Throttling doubles the delay (up to 30 s) instead of failing.
 */
import { setTimeout as timerSleep } from 'node:timers/promises';
import { retry } from '../core/retry.ts';
import { isThrottling, type LogEvent, type LogEventSource } from './source.ts';

/**
 * How far before the previous poll each --follow poll reads again. CloudWatch Logs can ingest an
 * event well after later ones (Lambda delivers logs asynchronously; ingestion lag of a minute or
 * more happens), and no documented bound exists: two minutes covers the delays seen in practice,
 * and costs only a re-read, since ids already shown are skipped.
 */
export const FOLLOW_LOOKBACK_MS = 120_000;

export interface TailOptions {
  /** Epoch ms: the first event time to show. */
  since: number;
  follow: boolean;
  filterPattern?: string;
  /** --follow only: return after this long without a new event. */
  idleExitMs?: number;
  /** Poll delay drawn from [min, max] ms (default 1000–2000). */
  pollMs?: { min: number; max: number };
  /** How far before the previous poll each poll looks again (default FOLLOW_LOOKBACK_MS). */
  lookbackMs?: number;
  maxBackoffMs?: number;
}

export interface TailDeps {
  signal: AbortSignal;
  now?: () => number;
  random?: () => number;
  /** Resolves after ms, or rejects when the signal aborts. Injectable so tests never wait. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Told about throttling and back-off (stderr). */
  onNotice?: (message: string) => void;
}

export type TailEnd = 'done' | 'stopped' | 'idle';

export async function tailLogs(
  source: LogEventSource,
  options: TailOptions,
  onEvent: (event: LogEvent) => void,
  deps: TailDeps,
): Promise<TailEnd> {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  // Rejects when the signal aborts, which ends the loop (Ctrl+C while waiting for the next poll).
  const sleep = deps.sleep ?? ((ms: number, signal: AbortSignal) => timerSleep(ms, undefined, { signal }));
  const poll = options.pollMs ?? { min: 1000, max: 2000 };
  const lookback = options.lookbackMs ?? FOLLOW_LOOKBACK_MS;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const filter = options.filterPattern ? { filterPattern: options.filterPattern } : {};

  if (!options.follow) {
    for (const event of await source.read({ startTime: options.since, endTime: now(), ...filter })) onEvent(event);
    return 'done';
  }

  /** id → timestamp of every event shown that is still inside the look-back window. */
  const seen = new Map<string, number>();
  let startTime = options.since;
  let lastNewEventAt = now();
  const idleLeft = () =>
    options.idleExitMs === undefined ? Number.POSITIVE_INFINITY : lastNewEventAt + options.idleExitMs - now();
  // A wait never outlasts --idle-exit.
  const wait = (ms: number) => sleep(Math.min(ms, Math.max(0, idleLeft())), deps.signal);
  while (!deps.signal.aborted) {
    let pollStartedAt = now();
    const read = () => {
      pollStartedAt = now();
      return source.read({ startTime, ...filter, signal: deps.signal });
    };
    try {
      // Throttling doubles the wait (from 2 s) instead of failing, until --idle-exit is due.
      const events = await retry(read, {
        attempts: Number.POSITIVE_INFINITY,
        backoff: { baseMs: Math.max(poll.max, 2000), capMs: maxBackoff, jitter: false },
        retryable: isThrottling,
        mayWait: () => idleLeft() > 0,
        onRetry: ({ delayMs }) =>
          deps.onNotice?.(`CloudWatch Logs is throttling: next poll in ${Math.round(delayMs / 1000)}s`),
        signal: deps.signal,
        sleep: wait,
      });
      for (const event of events) {
        if (seen.has(event.id)) continue;
        seen.set(event.id, event.timestamp);
        lastNewEventAt = now();
        onEvent(event);
      }
      startTime = Math.max(options.since, pollStartedAt - lookback);
      for (const [id, timestamp] of seen) if (timestamp < startTime) seen.delete(id);
    } catch (error) {
      if (deps.signal.aborted) break;
      if (!isThrottling(error)) throw error;
      // Still throttled when --idle-exit came due.
    }
    if (idleLeft() <= 0) return 'idle';
    try {
      await wait(poll.min + random() * (poll.max - poll.min));
    } catch {
      break;
    }
  }
  return 'stopped';
}
