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
  /** Later copies of an observation already in this batch (same symbol and timestamp): stored once. */
  duplicates: number;
}

export function decodeRecords(records: readonly KinesisStreamRecord[], now: Date): DecodedBatch {
  const valid: ValidRecord[] = [];
  const invalid: InvalidRecord[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
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
      // A producer retry can put the same observation twice; BatchWriteItem rejects duplicate keys.
      if (seen.has(key)) {
        duplicates++;
        return;
      }
      seen.add(key);
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
  return { valid, invalid, duplicates };
}

/** The shard id from a Kinesis eventID (`shardId-000000000000:4959…`). */
export function shardIdOf(record: KinesisStreamRecord): string {
  const [shard] = (record.eventID ?? '').split(':');
  return shard && shard.length > 0 ? shard : 'shard';
}
