/**
 * The DynamoDB-stream substitute. dynalite has no streams, so the DynamoDB proxy (daemon/dynamodb-proxy.ts)
 * appends an INSERT record here for every new item of an observed table, before it acknowledges
 * the write. The log is an append-only file `streams/<table>.ndjson` (one DynamoDBRecord per
 * line, in write order), so a record acknowledged to the writer survives a crash of the daemon.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../constants.ts';
import { type LocalPaths, safeFileName } from '../paths.ts';

export const TABLE_STREAM_SHARD = 'shardId-00000000000000000001-local';

export function tableStreamArn(table: string): string {
  return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${table}/stream/local`;
}

export function tableStreamFile(paths: LocalPaths, table: string): string {
  return join(paths.streamsDir, `${safeFileName(table)}.ndjson`);
}

export interface NewItem {
  keys: Record<string, AttributeValue>;
  newImage: Record<string, AttributeValue>;
}

export class TableStreamLog {
  readonly table: string;
  private readonly file: string;
  /** Records not yet known to be processed, in order. */
  private records: DynamoDBRecord[] = [];
  private lastSequence = 0n;
  private waiters = new Set<() => void>();

  constructor(paths: LocalPaths, table: string) {
    this.table = table;
    this.file = tableStreamFile(paths, table);
    mkdirSync(dirname(this.file), { recursive: true });
    this.load();
  }

  /** Appends one INSERT record per new item (durably, synchronously) and wakes the readers. */
  appendInserts(items: NewItem[], at = new Date()): DynamoDBRecord[] {
    if (items.length === 0) return [];
    const floor = BigInt(at.getTime()) * 1000n;
    const created = items.map((item) => {
      this.lastSequence = (this.lastSequence >= floor ? this.lastSequence : floor) + 1n;
      return this.insertRecord(item, this.lastSequence, at);
    });
    appendFileSync(this.file, created.map((record) => `${JSON.stringify(record)}\n`).join(''));
    this.records.push(...created);
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    return created;
  }

  /** Up to `limit` records after the given sequence number (from the start when undefined). */
  readAfter(sequence: string | undefined, limit: number): DynamoDBRecord[] {
    const after = sequence === undefined ? -1n : BigInt(sequence);
    const start = this.records.findIndex((record) => BigInt(record.dynamodb?.SequenceNumber ?? '0') > after);
    return start < 0 ? [] : this.records.slice(start, start + limit);
  }

  /** Forget records up to and including this sequence number (processed); compacts the file now and then. */
  release(sequence: string): void {
    const upTo = BigInt(sequence);
    const keep = this.records.findIndex((record) => BigInt(record.dynamodb?.SequenceNumber ?? '0') > upTo);
    const dropped = keep < 0 ? this.records.length : keep;
    if (dropped === 0) return;
    this.records = this.records.slice(dropped);
    this.releasedSinceCompaction += dropped;
    if (this.releasedSinceCompaction >= 5000) this.compact();
  }

  private releasedSinceCompaction = 0;

  waitForAppend(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Never hand out a sequence number at or below one already consumed (a checkpoint). */
  advancePast(sequence: string): void {
    const value = BigInt(sequence);
    if (value > this.lastSequence) this.lastSequence = value;
  }

  get pending(): number {
    return this.records.length;
  }

  private load(): void {
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const record = JSON.parse(line) as DynamoDBRecord;
        const sequence = BigInt(record.dynamodb?.SequenceNumber ?? '0');
        if (sequence > this.lastSequence) this.lastSequence = sequence;
        this.records.push(record);
      } catch {
        // a line torn by a crash mid-append: it was never acknowledged
      }
    }
  }

  /** Rewrites the file with the unprocessed records only. */
  compact(): void {
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, this.records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    renameSync(temporary, this.file);
    this.releasedSinceCompaction = 0;
  }

  private insertRecord(item: NewItem, sequence: bigint, at: Date): DynamoDBRecord {
    const SequenceNumber = sequence.toString().padStart(21, '0');
    return {
      eventID: `${SequenceNumber.slice(-12)}${Math.random().toString(16).slice(2, 10)}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: LOCAL_REGION,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(at.getTime() / 1000),
        Keys: item.keys,
        NewImage: item.newImage,
        SequenceNumber,
        SizeBytes: JSON.stringify(item.newImage).length,
        StreamViewType: 'NEW_IMAGE',
      },
      eventSourceARN: tableStreamArn(this.table),
    };
  }
}
