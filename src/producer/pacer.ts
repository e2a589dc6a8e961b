/**
 * Backpressure from a pipeline to `stream` (the local target's; ../targets/local.ts). kinesalite takes records as fast as the
 * producer sends them (10–15k/s), far faster than the emulators behind it store them, so an
 * unpaced replay piled the whole file up in the stream and the daemon's memory grew with it. Real
 * Kinesis throttles a producer at its shards' limit; locally this pacer plays that part: before
 * each poll the producer waits while more than `maxInFlight` of its records are not yet read by
 * ingest, or the trends function has more than `maxInFlight` stream records to take.
 */
import { sleep as abortableSleep } from './clock.ts';
import type { SinkStats } from './types.ts';

/** What the pacer reads of the daemon's status for one pipeline. */
export interface PipelineProgress {
  /** Records the ingest function has read from the Kinesis stream since the daemon started. */
  ingestRead: number;
  /** INSERT records waiting for the trends function. */
  trendsPending: number;
}

export interface PacerOptions {
  /** The pipeline's progress now; undefined when the daemon cannot tell (not running). */
  progress: () => Promise<PipelineProgress | undefined>;
  maxInFlight?: number;
  pollMs?: number;
  /** Told once per wait that made no progress for `stallMs`. */
  onStall?: (behind: number) => void;
  stallMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

export type Pace = (stats: SinkStats, signal: AbortSignal) => Promise<void>;

export const DEFAULT_MAX_IN_FLIGHT = 5_000;

export function createPacer(options: PacerOptions): Pace {
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const pollMs = options.pollMs ?? 200;
  const stallMs = options.stallMs ?? 15_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  // Records sent and read at the first look: other producers and earlier runs do not count.
  let baseline: { sent: number; read: number } | undefined;
  // Sent records at the last look that found room: no need to ask the daemon again before more went out.
  let checkedAt = Number.NEGATIVE_INFINITY;

  return async (stats, signal) => {
    if (stats.sent - checkedAt < maxInFlight / 4) return;
    let waitingSince: number | undefined;
    let lastRead = -1;
    let stallReported = false;
    while (!signal.aborted) {
      const progress = await options.progress().catch(() => undefined);
      // Nothing to pace against (the daemon is gone): the sink's own errors say what is wrong.
      if (!progress) return;
      // A daemon restart resets its counters: count from here.
      if (!baseline || progress.ingestRead < baseline.read) baseline = { sent: stats.sent, read: progress.ingestRead };
      const behind = stats.sent - baseline.sent - (progress.ingestRead - baseline.read);
      if (behind <= maxInFlight && progress.trendsPending <= maxInFlight) {
        checkedAt = stats.sent;
        return;
      }
      if (progress.ingestRead !== lastRead) {
        lastRead = progress.ingestRead;
        waitingSince = now();
      } else if (!stallReported && waitingSince !== undefined && now() - waitingSince >= stallMs) {
        stallReported = true;
        options.onStall?.(Math.max(behind, progress.trendsPending));
      }
      await sleep(pollMs, signal);
    }
  };
}
