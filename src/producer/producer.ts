/**
 * The producer loop as an object: poll the source, hand events to the sink, wait, repeat. Polls
 * never overlap (the next is scheduled after the previous finished); `stop()` or the signal ends
 * fetching at once, and `start()` resolves only after the sink has flushed everything fetched.
 */
import type { StockEvent } from '../core/event.ts';
import { setLongTimeout, sleep } from './clock.ts';
import type { EventSink, EventSource, Poll, SinkStats } from './types.ts';

export interface ProducerOptions {
  source: EventSource;
  sink: EventSink;
  intervalMs: number;
  /** Stop after this many events. */
  count?: number;
  /** Stop after this long. */
  durationMs?: number;
  /** SIGINT/SIGTERM: stop fetching, flush, return. */
  signal?: AbortSignal;
  /** Waits before each poll while the pipeline behind the sink is too far behind (./pacer.ts). */
  pace?: (stats: SinkStats, signal: AbortSignal) => Promise<void>;
  /** Called with each event as it is handed to the sink (the status line). */
  onEvent?: (event: StockEvent) => void;
  now?: () => number;
}

export type StopReason = 'count' | 'duration' | 'end-of-source' | 'signal' | 'output-closed' | 'sink-failed';

export interface ProducerSummary extends SinkStats {
  /** Events fetched from the source and handed to the sink. */
  produced: number;
  /** Produced, but neither sent nor given up on: the sink failed before taking them. */
  notSent: number;
  elapsedMs: number;
  /** Sent events per second of the whole run. */
  rate: number;
  reason: StopReason;
  /** Why the sink stopped taking events (reason 'sink-failed'). */
  error?: unknown;
}

export class Producer {
  private readonly options: ProducerOptions;
  private readonly stopper = new AbortController();
  private reason: StopReason | undefined;
  private produced = 0;

  constructor(options: ProducerOptions) {
    this.options = options;
  }

  /** Stop fetching; `start()` still flushes before it resolves. */
  stop(reason: StopReason = 'signal'): void {
    this.reason ??= reason;
    this.stopper.abort();
  }

  get stopping(): boolean {
    return this.stopper.signal.aborted;
  }

  /** Run the loop until a stop; resolves with the summary once everything fetched is flushed. */
  async start(): Promise<ProducerSummary> {
    const { source, sink, signal, count, durationMs } = this.options;
    const now = this.options.now ?? Date.now;
    const started = now();
    const onSignal = () => this.stop('signal');
    if (signal?.aborted) onSignal();
    signal?.addEventListener('abort', onSignal, { once: true });
    const deadline = durationMs !== undefined ? setLongTimeout(() => this.stop('duration'), durationMs) : undefined;
    let sinkError: unknown;
    let settled = false;
    try {
      while (!this.stopping) {
        if (this.options.pace) await this.options.pace(sink.stats(), this.stopper.signal);
        const poll = await this.pollUnlessStopped();
        if (!poll) break;
        for (const event of poll.events) {
          if (count !== undefined && this.produced >= count) break;
          this.produced++;
          this.options.onEvent?.(event);
          await sink.add(event).catch(asSinkError);
        }
        if (count !== undefined && this.produced >= count) this.stop('count');
        else if (poll.done) this.stop('end-of-source');
        // A source may ask for a longer wait (a backoff, a replay's pace), never a shorter one.
        else await sleep(Math.max(this.options.intervalMs, poll.delayMs ?? 0), this.stopper.signal);
      }
      await sink.flush().catch(asSinkError);
      settled = true;
    } catch (error) {
      if (!(error instanceof SinkError)) throw error;
      // The sink gave up for good (its destination is gone): stop, and still account for the run.
      sinkError = error.cause;
      this.reason = 'sink-failed';
      this.stopper.abort();
    } finally {
      // However the loop ended (the sink or the source failing too), calls still in flight finish —
      // and what is buffered is sent or counted — before anything is summarised: nothing is reported
      // after the summary, and produced = sent + failed + not sent.
      if (!settled) await sink.flush().catch(() => undefined);
      deadline?.clear();
      signal?.removeEventListener('abort', onSignal);
      await source.close?.();
    }
    const elapsedMs = Math.max(1, now() - started);
    const stats = sink.stats();
    return {
      ...stats,
      produced: this.produced,
      notSent: this.produced - stats.sent - stats.failed,
      elapsedMs,
      rate: (stats.sent * 1000) / elapsedMs,
      reason: this.reason ?? 'signal',
      ...(sinkError !== undefined ? { error: sinkError } : {}),
    };
  }

  /**
   * A poll in flight when the stop comes is abandoned: fetching stops at once. Each poll gets its
   * own abort listener, removed when the poll settles: racing every poll against one long-lived
   * "stopped" promise would register a reaction on it per poll, and each reaction keeps that poll's
   * events reachable until the producer stops (memory growing with the run's length).
   */
  private pollUnlessStopped(): Promise<Poll | undefined> {
    const { signal } = this.stopper;
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const onStop = () => resolve(undefined);
      signal.addEventListener('abort', onStop, { once: true });
      this.options.source.poll(signal).then(
        (poll) => {
          signal.removeEventListener('abort', onStop);
          resolve(poll);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onStop);
          reject(error);
        },
      );
    });
  }
}

/** A failure of the sink, told apart from the source's own (which still propagate). */
class SinkError extends Error {
  constructor(cause: unknown) {
    super('the sink failed', { cause });
  }
}

function asSinkError(error: unknown): never {
  throw new SinkError(error);
}
