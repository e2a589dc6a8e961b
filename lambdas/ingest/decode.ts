/** Kinesis records → normalised contract events and quarantine entries, in shard order. */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { RejectReason, StockEvent } from '../../src/core/event.ts';
import { readRecord } from '../../src/core/ingest-reader.ts';

export interface ValidRecord {
  /** Position in the batch (shard order). */
  index: number;
  sequenceNumber: string;
  event: StockEvent;
  /** What arrived, for the quarantine should DynamoDB refuse the record after all. */
  source: Omit<InvalidRecord, 'index' | 'sequenceNumber' | 'reason' | 'detail'>;
}

export interface InvalidRecord {
  index: number;
  sequenceNumber: string;
  reason: RejectReason;
  detail: string;
  partitionKey: string;
  /** Kinesis arrival time, ISO-8601: dates the quarantine partition (the payload may have no usable timestamp). */
  arrivedAt: string;
  payload: Uint8Array;
}

export interface DecodedBatch {
  valid: ValidRecord[];
  invalid: InvalidRecord[];
  /**
   * Batch indexes of observations replaced by a later one with the same identity (symbol and
   * timestamp) in this batch: the later one is stored, as DynamoDB's overwrite does across batches.
   */
  superseded: number[];
}

export function decodeRecords(records: readonly KinesisStreamRecord[], now: Date): DecodedBatch {
  const valid: ValidRecord[] = [];
  const invalid: InvalidRecord[] = [];
  /** Identity → index in `valid` of its latest observation so far. */
  const latest = new Map<string, number>();
  const superseded = new Set<number>();
  records.forEach((record, index) => {
    const { sequenceNumber, data, partitionKey, approximateArrivalTimestamp } = record.kinesis;
    const payload = Buffer.from(data, 'base64');
    // A hand-made event may lack the arrival time: date the quarantine by the clock then.
    const arrivedAt = Number.isFinite(approximateArrivalTimestamp)
      ? new Date(approximateArrivalTimestamp * 1000).toISOString()
      : now.toISOString();
    const result = readRecord(payload, now);
    if (result.ok) {
      const key = `${result.event.symbol}#${result.event.timestamp}`;
      // One row per identity: BatchWriteItem rejects duplicate keys, and the lake would hold both.
      const earlier = latest.get(key);
      if (earlier !== undefined) superseded.add(earlier);
      latest.set(key, valid.length);
      valid.push({ index, sequenceNumber, event: result.event, source: { partitionKey, arrivedAt, payload } });
    } else {
      invalid.push({
        index,
        sequenceNumber,
        reason: result.reason,
        detail: result.detail,
        partitionKey,
        arrivedAt,
        payload,
      });
    }
  });
  return {
    valid: valid.filter((_, i) => !superseded.has(i)),
    invalid,
    superseded: valid.filter((_, i) => superseded.has(i)).map((record) => record.index),
  };
}

/** The shard id from a Kinesis eventID (`shardId-000000000000:4959…`). */
export function shardIdOf(record: KinesisStreamRecord): string {
  const [shard] = (record.eventID ?? '').split(':');
  return shard && shard.length > 0 ? shard : 'shard';
}
