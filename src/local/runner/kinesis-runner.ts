/**
 * The ingest function's event source: one ShardPoller per shard of the stream, reading with
 * GetRecords from the position after the last checkpoint (TRIM_HORIZON the first time), and
 * invoking the function with KinesisStreamEvents.
 */
import type { _Record, KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../constants.ts';
import type { LocalPaths } from '../paths.ts';
import { CheckpointStore, CheckpointUnreadableError } from './checkpoints.ts';
import { newCounters, type RunnerCounters } from './counters.ts';
import type { FailureDestination } from './failures.ts';
import type { FunctionInvoker } from './invoker.ts';
import type { MappingConfig } from './mapping.ts';
import { type ReadResult, type RecordSource, ShardPoller } from './poller.ts';

export interface KinesisRunnerOptions {
  kinesis: KinesisClient;
  streamName: string;
  invoker: FunctionInvoker;
  config: MappingConfig;
  paths: LocalPaths;
  /** The on-failure destination: the raw bucket, as on AWS. */
  failureDestination: FailureDestination;
  /** The role the mapping would invoke with (invokeIdentityArn of each record). */
  roleName?: string;
  /**
   * Appended to the stream's creation time to identify its incarnation: an in-memory Kinesis
   * recreates streams on every start, possibly within the same second (the timestamp's precision).
   */
  incarnation?: string;
}

export function kinesisStreamArn(streamName: string): string {
  return `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${streamName}`;
}

export class KinesisRunner {
  readonly counters: RunnerCounters = newCounters();
  private readonly options: KinesisRunnerOptions;
  private readonly pollers = new Map<string, ShardPoller<KinesisStreamRecord>>();
  private readonly checkpoints: CheckpointStore;
  private readonly controller = new AbortController();
  private discovery: Promise<void> | undefined;
  private epoch: string | undefined;
  private discovered!: () => void;
  /** Resolves once the shards have been listed (or the runner stops): a drain needs them. */
  private readonly firstDiscovery = new Promise<void>((resolve) => {
    this.discovered = resolve;
  });

  constructor(options: KinesisRunnerOptions) {
    this.options = options;
    this.checkpoints = new CheckpointStore(
      options.paths,
      options.invoker.functionName,
      kinesisStreamArn(options.streamName),
    );
  }

  start(): void {
    this.discovery ??= this.discoverShards();
  }

  async stop(options: { drain?: boolean; drainTimeoutMs?: number } = {}): Promise<void> {
    if (options.drain && this.discovery) {
      await Promise.race([this.firstDiscovery, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    }
    this.controller.abort();
    this.discovered();
    await this.discovery;
    await Promise.all([...this.pollers.values()].map((poller) => poller.stop(options)));
  }

  get shardCount(): number {
    return this.pollers.size;
  }

  /** Finds the stream's shards (waiting for the stream to exist) and keeps looking for new ones. */
  private async discoverShards(): Promise<void> {
    const { DescribeStreamSummaryCommand, ListShardsCommand } = await import('@aws-sdk/client-kinesis');
    const { kinesis, streamName } = this.options;
    const { signal } = this.controller;
    while (!signal.aborted) {
      try {
        const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), {
          abortSignal: signal,
        });
        const description = summary.StreamDescriptionSummary;
        const created = description?.StreamCreationTimestamp?.toISOString() ?? 'unknown';
        const epoch = this.options.incarnation ? `${created}#${this.options.incarnation}` : created;
        if (description?.StreamStatus === 'ACTIVE' || description?.StreamStatus === 'UPDATING') {
          if (this.epoch !== epoch) {
            // A new incarnation of the stream: positions in the old one mean nothing.
            await Promise.all([...this.pollers.values()].map((poller) => poller.stop()));
            this.pollers.clear();
            this.checkpoints.open(epoch);
            this.epoch = epoch;
          }
          const shards = await kinesis.send(new ListShardsCommand({ StreamName: streamName }), { abortSignal: signal });
          for (const shard of shards.Shards ?? []) {
            if (shard.ShardId && !this.pollers.has(shard.ShardId)) this.startShard(shard.ShardId);
          }
          this.counters.waitingFor = null;
          this.discovered();
        }
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof CheckpointUnreadableError) {
          this.counters.waitingFor = error.message;
          console.error(`${new Date().toISOString()} ${this.options.invoker.functionName}: ${error.message}`);
          this.discovered();
          return;
        }
        this.counters.waitingFor = `stream ${streamName}: ${(error as Error).name ?? String(error)}`;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private startShard(shardId: string): void {
    const { invoker, config, streamName } = this.options;
    const streamArn = kinesisStreamArn(streamName);
    const source = new KinesisShardSource({
      kinesis: this.options.kinesis,
      streamName,
      shardId,
      after: this.checkpoints.get(shardId),
      checkpoint: (sequence) => this.checkpoints.save(shardId, sequence),
      toRecord: (record) => toKinesisEventRecord(record, shardId, streamArn, this.options.roleName),
    });
    const poller = new ShardPoller<KinesisStreamRecord>({
      source,
      config,
      counters: this.counters,
      sequenceOf: (record) => record.kinesis.sequenceNumber,
      // The record's data (base64) and its envelope of ids and ARNs.
      sizeOf: (record) => record.kinesis.data.length + 512,
      arrivalOf: (record) => record.kinesis.approximateArrivalTimestamp * 1000,
      invoke: (records) => invoker.invoke({ Records: records } satisfies KinesisStreamEvent),
      onFailure: (records, info) => {
        const first = records[0];
        const last = records.at(-1);
        if (!first || !last) return Promise.resolve();
        const arrival = (record: KinesisStreamRecord) =>
          new Date(record.kinesis.approximateArrivalTimestamp * 1000).toISOString();
        return this.options.failureDestination.put(
          invoker.functionArn,
          {
            kind: 'kinesis',
            shardId,
            startSequenceNumber: first.kinesis.sequenceNumber,
            endSequenceNumber: last.kinesis.sequenceNumber,
            approximateArrivalOfFirstRecord: arrival(first),
            approximateArrivalOfLastRecord: arrival(last),
            batchSize: records.length,
            sourceArn: streamArn,
          },
          info,
          records,
        );
      },
      onReadError: (error) => {
        this.counters.lastError = `read ${shardId}: ${(error as Error).message ?? String(error)}`;
      },
    });
    this.pollers.set(shardId, poller);
    poller.start();
  }
}

export function toKinesisEventRecord(
  record: _Record,
  shardId: string,
  streamArn: string,
  roleName = 'local-runner',
): KinesisStreamRecord {
  const sequenceNumber = record.SequenceNumber ?? '';
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey ?? '',
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${roleName}`,
    awsRegion: LOCAL_REGION,
    eventSourceARN: streamArn,
  };
}

interface ShardSourceOptions {
  kinesis: KinesisClient;
  streamName: string;
  shardId: string;
  after: string | undefined;
  checkpoint(sequenceNumber: string): void;
  toRecord(record: _Record): KinesisStreamRecord;
}

/** GetRecords over one shard; re-creates its iterator after the last record read when it expires. */
class KinesisShardSource implements RecordSource<KinesisStreamRecord> {
  private readonly options: ShardSourceOptions;
  private iterator: string | undefined;
  private lastRead: string | undefined;

  constructor(options: ShardSourceOptions) {
    this.options = options;
    this.lastRead = options.after;
  }

  async read(limit: number, signal: AbortSignal): Promise<ReadResult<KinesisStreamRecord>> {
    const { GetRecordsCommand, GetShardIteratorCommand } = await import('@aws-sdk/client-kinesis');
    const { kinesis, streamName, shardId } = this.options;
    if (this.iterator === undefined) {
      const response = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shardId,
          ...(this.lastRead
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: this.lastRead }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
        { abortSignal: signal },
      );
      this.iterator = response.ShardIterator;
      if (this.iterator === undefined) return { records: [], caughtUp: true, ended: true };
    }
    try {
      const response = await kinesis.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: limit }), {
        abortSignal: signal,
      });
      const records = (response.Records ?? []).map((record) => this.options.toRecord(record));
      const last = records.at(-1);
      if (last) this.lastRead = last.kinesis.sequenceNumber;
      this.iterator = response.NextShardIterator;
      const ended = response.NextShardIterator === undefined || response.NextShardIterator === null;
      const caughtUp = records.length < limit && (response.MillisBehindLatest ?? 0) === 0;
      return { records, caughtUp, ended };
    } catch (error) {
      if ((error as Error).name === 'ExpiredIteratorException') this.iterator = undefined;
      throw error;
    }
  }

  async checkpoint(sequenceNumber: string): Promise<void> {
    this.options.checkpoint(sequenceNumber);
  }
}
