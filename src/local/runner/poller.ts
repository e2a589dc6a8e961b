/**
 * One shard's poll loop: read, batch (batch size or batching window, whichever comes first),
 * deliver, checkpoint, repeat. One batch in flight per shard, so shard order holds. A long-running
 * loop with start/stop: stop waits for the batch in flight; `drain` first delivers everything the
 * source still holds, without waiting for the window.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunnerCounters } from './counters.ts';
import { type DeliveryDeps, deliverBatch } from './delivery.ts';
import type { MappingConfig } from './mapping.ts';

export interface ReadResult<R> {
  records: R[];
  /** Nothing more is waiting right now. */
  caughtUp: boolean;
  /** The shard is closed and fully read. */
  ended?: boolean;
}

export interface RecordSource<R> {
  read(limit: number, signal: AbortSignal): Promise<ReadResult<R>>;
  /** Persist the position after this record: a restart resumes after it. */
  checkpoint(sequenceNumber: string): Promise<void>;
  /** Resolve when new records may be there, or after timeoutMs (default: plain sleep). */
  waitForRecords?(timeoutMs: number, signal: AbortSignal): Promise<void>;
}

export interface PollerDeps<R> extends Omit<DeliveryDeps<R>, 'signal'> {
  source: RecordSource<R>;
  /** A record's share of the invocation payload, in bytes; with it a batch stays within Lambda's 6 MB. */
  sizeOf?(record: R): number;
  /** Called when a read fails (stream missing, emulator restarting): the loop retries. */
  onReadError?(error: unknown): void;
}

export class ShardPoller<R> {
  private readonly deps: PollerDeps<R>;
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  private draining = false;
  private drained: (() => void) | undefined;

  constructor(deps: PollerDeps<R>) {
    this.deps = deps;
  }

  get config(): MappingConfig {
    return this.deps.config;
  }

  get counters(): RunnerCounters {
    return this.deps.counters;
  }

  start(): void {
    this.loop ??= this.run().catch((error) => {
      this.deps.counters.lastError = String(error);
    });
  }

  /** Stop after the batch in flight; with drain, first deliver what the source holds (bounded). */
  async stop(options: { drain?: boolean; drainTimeoutMs?: number } = {}): Promise<void> {
    if (options.drain && this.loop) {
      const done = new Promise<void>((resolve) => {
        this.drained = resolve;
      });
      this.draining = true;
      await Promise.race([done, sleep(options.drainTimeoutMs ?? 10_000)]);
    }
    this.controller.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { signal } = this.controller;
    const { source, config, counters } = this.deps;
    const delivery = { ...this.deps, signal };
    let buffer: R[] = [];
    let firstBufferedAt = 0;
    let ended = false;
    while (!signal.aborted) {
      let caughtUp = true;
      if (buffer.length < config.batchSize && !ended) {
        try {
          const result = await source.read(config.batchSize - buffer.length, signal);
          if (result.records.length > 0) {
            if (buffer.length === 0) firstBufferedAt = Date.now();
            buffer = buffer.concat(result.records);
            counters.recordsRead += result.records.length;
          }
          caughtUp = result.caughtUp;
          ended = result.ended === true;
        } catch (error) {
          if (signal.aborted) break;
          this.deps.onReadError?.(error);
          await pause(config.idlePollMs * 5, signal);
          continue;
        }
      }
      const windowLeft = firstBufferedAt + config.batchingWindowMs - Date.now();
      const due =
        buffer.length >= config.batchSize || (buffer.length > 0 && (windowLeft <= 0 || this.draining || ended));
      if (due) {
        const batch = buffer.slice(0, batchLength(buffer, config.batchSize, this.deps.sizeOf));
        const newest = batch.at(-1);
        if (newest !== undefined && this.deps.arrivalOf) {
          counters.iteratorAgeMs = Math.max(0, Date.now() - this.deps.arrivalOf(newest));
        }
        if (!(await deliverBatch(batch, delivery))) break;
        buffer = buffer.slice(batch.length);
        const last = batch.at(-1);
        if (last !== undefined) await source.checkpoint(this.deps.sequenceOf(last));
        // What is left over arrived no later than now: its window starts at the latest now.
        if (buffer.length > 0) firstBufferedAt = Math.min(Date.now(), firstBufferedAt + config.batchingWindowMs);
        continue;
      }
      if (buffer.length === 0 && (caughtUp || ended)) counters.iteratorAgeMs = 0;
      if (buffer.length === 0 && (caughtUp || ended) && this.draining) {
        this.drained?.();
        this.draining = false;
      }
      if (!caughtUp) continue; // more is waiting: read it now
      if (ended && buffer.length === 0) {
        await pause(config.idlePollMs * 10, signal);
        continue;
      }
      const wait = buffer.length > 0 ? Math.min(config.idlePollMs, Math.max(windowLeft, 0)) : config.idlePollMs;
      if (source.waitForRecords) {
        await source.waitForRecords(wait, signal).catch(() => undefined);
      } else {
        await pause(wait, signal);
      }
    }
  }
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // aborted: the loop condition ends it
  }
}

/**
 * Lambda's synchronous invocation payload limit: an event source mapping cuts a batch short
 * rather than exceed it, so a burst of 1 MiB records goes four at a time, not a 100 MiB event.
 */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** How many of the buffer's first records make the next batch: at most `batchSize`, within the payload limit, at least one. */
export function batchLength<R>(buffer: readonly R[], batchSize: number, sizeOf?: (record: R) => number): number {
  const most = Math.min(batchSize, buffer.length);
  if (!sizeOf) return most;
  let bytes = 0;
  for (let i = 0; i < most; i++) {
    bytes += sizeOf(buffer[i] as R);
    if (bytes > MAX_PAYLOAD_BYTES) return Math.max(1, i);
  }
  return most;
}
