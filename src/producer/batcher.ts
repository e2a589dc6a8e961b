/**
 * The Kinesis batcher: events in, PutRecords calls out. A call carries at most 500 records and
 * 5 MiB; a partial failure resends only the failed entries, with exponential backoff and jitter,
 * up to a bound, and then reports them as failed. The SDK's own retry strategy already covers
 * whole-call throttling and 5xx; this covers per-entry failures, which the SDK treats as success.
 *
 * A few calls run at once, but never two for one symbol: each symbol has a lane (a hash of its
 * partition key), a lane sends one call at a time, and the next call of a lane waits until the
 * previous one, resends included, is done. So one symbol's events reach the stream in the order
 * they were produced — the trends function evaluates them in arrival order — while different
 * symbols go in parallel. (Only a resend after a per-entry failure can still land behind a later
 * event of its symbol from the same call; Kinesis offers no ordering for PutRecords beyond that.)
 */
import { PutRecordsCommand, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import type { StockEvent } from '../core/event.ts';
import { retry } from '../core/retry.ts';
import { StockpipeError } from '../errors.ts';
import { sleep } from './clock.ts';
import type { EventSink, SinkStats } from './types.ts';

export const MAX_RECORDS_PER_CALL = 500;
export const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;

export interface KinesisLike {
  send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput>;
}

/** What happened to one batch, once every entry was accepted or given up on. */
export interface BatchResult {
  records: number;
  sent: number;
  /** Entries given up on after the retry bound, with the last error code. */
  failed: { event_id: string; symbol: string; error_code: string }[];
  /** Entry resends this batch needed. */
  retried: number;
  /** PutRecords calls this batch needed. */
  calls: number;
}

export interface BatcherOptions {
  client: KinesisLike;
  streamName: string;
  maxRecords?: number;
  maxBytes?: number;
  /** PutRecords calls in flight at once (lanes: one call per lane, one lane per symbol). */
  concurrency?: number;
  /** Resends of a failed entry before it is reported as failed. */
  maxRetries?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a partly filled batch waits for company before it is sent. */
  lingerMs?: number;
  /** The command that creates the stream, for the error when it is gone (default `stockpipe setup`). */
  setupCommand?: string;
  onBatch?: (result: BatchResult) => void;
  random?: () => number;
}

interface Entry {
  event: StockEvent;
  data: Uint8Array;
}

/** The events of some symbols, sent one call at a time. */
interface Lane {
  buffer: Entry[];
  bytes: number;
  linger: NodeJS.Timeout | undefined;
  /** The call (with its resends) now sending this lane's previous batch. */
  inFlight: Promise<void> | undefined;
}

/** FNV-1a of the partition key: which lane a symbol's events take. */
function laneOf(key: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % lanes;
}

/** Whole-call failures worth resending: throttling, server faults, the network. */
const TRANSIENT_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'KMSThrottlingException',
  'TimeoutError',
]);

export class KinesisBatcher implements EventSink {
  private readonly options: Required<Omit<BatcherOptions, 'onBatch' | 'random'>> &
    Pick<BatcherOptions, 'onBatch' | 'random'>;
  private readonly lanes: Lane[];
  private fatal: unknown;
  private readonly counts: SinkStats = { sent: 0, failed: 0, retried: 0 };

  constructor(options: BatcherOptions) {
    this.options = {
      maxRecords: MAX_RECORDS_PER_CALL,
      maxBytes: MAX_BYTES_PER_CALL,
      concurrency: 4,
      maxRetries: 8,
      baseBackoffMs: 100,
      maxBackoffMs: 5000,
      lingerMs: 50,
      setupCommand: 'stockpipe setup',
      ...options,
    };
    this.lanes = Array.from({ length: Math.max(1, this.options.concurrency) }, () => ({
      buffer: [],
      bytes: 0,
      linger: undefined,
      inFlight: undefined,
    }));
  }

  async add(event: StockEvent): Promise<void> {
    this.throwIfFatal();
    const data = Buffer.from(JSON.stringify(event), 'utf8');
    // The 5 MiB limit counts partition keys too.
    const size = data.byteLength + Buffer.byteLength(event.symbol, 'utf8');
    const lane = this.lanes[laneOf(event.symbol, this.lanes.length)] as Lane;
    if (lane.buffer.length > 0 && lane.bytes + size > this.options.maxBytes) await this.dispatch(lane);
    lane.buffer.push({ event, data });
    lane.bytes += size;
    if (lane.buffer.length >= this.options.maxRecords) await this.dispatch(lane);
    else if (!lane.linger) {
      lane.linger = setTimeout(() => {
        lane.linger = undefined;
        void this.dispatch(lane);
      }, this.options.lingerMs);
    }
  }

  async flush(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => this.dispatch(lane)));
    while (this.lanes.some((lane) => lane.inFlight)) {
      await Promise.all(this.lanes.map((lane) => lane.inFlight));
    }
    this.throwIfFatal();
  }

  stats(): SinkStats {
    return { ...this.counts };
  }

  /** Send a lane's buffer as one call, once the lane's previous call is done. */
  private async dispatch(lane: Lane): Promise<void> {
    if (lane.linger) clearTimeout(lane.linger);
    lane.linger = undefined;
    if (lane.buffer.length === 0) return;
    const batch = lane.buffer;
    lane.buffer = [];
    lane.bytes = 0;
    while (lane.inFlight) await lane.inFlight;
    const sending: Promise<void> = this.send(batch)
      .catch((error: unknown) => {
        this.fatal ??= error;
      })
      .finally(() => {
        if (lane.inFlight === sending) lane.inFlight = undefined;
      });
    lane.inFlight = sending;
  }

  private async send(batch: Entry[]): Promise<void> {
    const result: BatchResult = { records: batch.length, sent: 0, failed: [], retried: 0, calls: 0 };
    let pending = batch;
    let lastCodes: string[] = [];
    /** One PutRecords call of what is pending; true once nothing is left to resend. */
    const putPending = async (): Promise<boolean> => {
      if (this.fatal) {
        // Another call hit a fatal error: nothing more will be accepted, count these as failed.
        lastCodes = pending.map(() => 'Aborted');
        return true;
      }
      result.calls++;
      let failed: Entry[];
      try {
        const response = await this.options.client.send(
          new PutRecordsCommand({
            StreamName: this.options.streamName,
            Records: pending.map((entry) => ({ Data: entry.data, PartitionKey: entry.event.symbol })),
          }),
        );
        const records = response.Records ?? [];
        failed = [];
        lastCodes = [];
        pending.forEach((entry, index) => {
          const code = records[index]?.ErrorCode;
          if (code) {
            failed.push(entry);
            lastCodes.push(code);
          }
        });
      } catch (error) {
        if (!isTransient(error)) {
          // Given up on for good: this call's entries are failed, counted before the error goes up.
          this.giveUp(
            result,
            pending,
            pending.map(() => (error as Error).name || 'Error'),
          );
          throw explain(error, this.options.streamName, this.options.setupCommand);
        }
        failed = pending;
        lastCodes = pending.map(() => (error as Error).name || 'Error');
      }
      const accepted = pending.length - failed.length;
      result.sent += accepted;
      this.counts.sent += accepted;
      pending = failed;
      return pending.length === 0;
    };
    await retry(putPending, {
      attempts: this.options.maxRetries + 1,
      // Never shorter than the base, so a failure never makes the producer send faster.
      backoff: {
        baseMs: this.options.baseBackoffMs,
        capMs: this.options.maxBackoffMs,
        floorMs: this.options.baseBackoffMs,
      },
      done: (settled) => settled,
      onRetry: () => {
        result.retried += pending.length;
        this.counts.retried += pending.length;
      },
      sleep: (ms) => sleep(ms),
      ...(this.options.random ? { random: this.options.random } : {}),
    });
    this.giveUp(result, pending, lastCodes);
  }

  /** The batch is done: `pending` are failed with their last error codes; report it. */
  private giveUp(result: BatchResult, pending: Entry[], codes: string[]): void {
    result.failed = pending.map((entry, index) => ({
      event_id: entry.event.event_id,
      symbol: entry.event.symbol,
      error_code: codes[index] ?? 'Error',
    }));
    this.counts.failed += pending.length;
    this.options.onBatch?.(result);
  }

  private throwIfFatal(): void {
    if (this.fatal) throw this.fatal;
  }
}

function isTransient(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  if (TRANSIENT_ERRORS.has(e?.name ?? '')) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  // No HTTP status: the request never got an answer (connection reset, DNS, timeout).
  return e?.code !== undefined || e?.name === 'Error' || e?.name === 'TypeError';
}

function explain(error: unknown, streamName: string, setupCommand: string): unknown {
  if ((error as { name?: string })?.name === 'ResourceNotFoundException') {
    return new StockpipeError(`Kinesis stream ${streamName} does not exist: run \`${setupCommand}\` first.`);
  }
  return error;
}
