/**
 * The trends function's event source: INSERT records from a table's stream log, delivered as
 * DynamoDBStreamEvents with the same batching, partial-failure, bisect and retry behaviour as
 * the Kinesis runner.
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { LocalPaths } from '../paths.ts';
import { CheckpointStore, CheckpointUnreadableError } from './checkpoints.ts';
import { newCounters, type RunnerCounters } from './counters.ts';
import type { FailureDestination } from './failures.ts';
import type { FunctionInvoker } from './invoker.ts';
import type { MappingConfig } from './mapping.ts';
import { type ReadResult, type RecordSource, ShardPoller } from './poller.ts';
import { TABLE_STREAM_SHARD, type TableStreamLog, tableStreamArn } from './table-stream.ts';

export interface TableStreamRunnerOptions {
  log: TableStreamLog;
  invoker: FunctionInvoker;
  config: MappingConfig;
  paths: LocalPaths;
  /** The on-failure destination: the raw bucket, as on AWS. */
  failureDestination: FailureDestination;
}

export class TableStreamRunner {
  readonly counters: RunnerCounters = newCounters();
  private readonly poller: ShardPoller<DynamoDBRecord> | undefined;
  /** Set when the checkpoint cannot be read: the runner does not start. */
  private readonly blocked: string | undefined;
  private readonly functionName: string;

  constructor(options: TableStreamRunnerOptions) {
    const { log, invoker, config } = options;
    this.functionName = invoker.functionName;
    const streamArn = tableStreamArn(log.table);
    const checkpoints = new CheckpointStore(options.paths, invoker.functionName, streamArn);
    try {
      checkpoints.open('log');
    } catch (error) {
      if (!(error instanceof CheckpointUnreadableError)) throw error;
      this.blocked = error.message;
      return;
    }
    const after = checkpoints.get(TABLE_STREAM_SHARD);
    if (after !== undefined) {
      log.advancePast(after);
      log.release(after);
    }
    const source = new LogSource(log, after, (sequence) => checkpoints.save(TABLE_STREAM_SHARD, sequence));
    this.poller = new ShardPoller<DynamoDBRecord>({
      source,
      config,
      counters: this.counters,
      sequenceOf: (record) => record.dynamodb?.SequenceNumber ?? '',
      arrivalOf: (record) => (record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000,
      invoke: (records) => invoker.invoke({ Records: records } satisfies DynamoDBStreamEvent),
      onFailure: (records, info) => {
        const first = records[0]?.dynamodb;
        const last = records.at(-1)?.dynamodb;
        if (!first || !last) return Promise.resolve();
        const arrival = (seconds: number | undefined) => new Date((seconds ?? 0) * 1000).toISOString();
        return options.failureDestination.put(
          invoker.functionArn,
          {
            kind: 'dynamodb',
            shardId: TABLE_STREAM_SHARD,
            startSequenceNumber: first.SequenceNumber ?? '',
            endSequenceNumber: last.SequenceNumber ?? '',
            approximateArrivalOfFirstRecord: arrival(first.ApproximateCreationDateTime),
            approximateArrivalOfLastRecord: arrival(last.ApproximateCreationDateTime),
            batchSize: records.length,
            sourceArn: streamArn,
          },
          info,
          records,
        );
      },
    });
  }

  start(): void {
    if (this.blocked !== undefined) {
      this.counters.waitingFor = this.blocked;
      console.error(`${new Date().toISOString()} ${this.functionName}: ${this.blocked}`);
      return;
    }
    this.poller?.start();
  }

  async stop(options: { drain?: boolean; drainTimeoutMs?: number } = {}): Promise<void> {
    await this.poller?.stop(options);
  }
}

class LogSource implements RecordSource<DynamoDBRecord> {
  private readonly log: TableStreamLog;
  private cursor: string | undefined;
  private readonly save: (sequence: string) => void;

  constructor(log: TableStreamLog, after: string | undefined, save: (sequence: string) => void) {
    this.log = log;
    this.cursor = after;
    this.save = save;
  }

  async read(limit: number): Promise<ReadResult<DynamoDBRecord>> {
    const records = this.log.readAfter(this.cursor, limit);
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last !== undefined) this.cursor = last;
    return { records, caughtUp: this.log.readAfter(this.cursor, 1).length === 0 };
  }

  async checkpoint(sequence: string): Promise<void> {
    this.save(sequence);
    this.log.release(sequence);
  }

  waitForRecords(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return this.log.waitForAppend(timeoutMs, signal);
  }
}
