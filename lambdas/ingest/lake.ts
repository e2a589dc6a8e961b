/**
 * What the ingest function writes to S3. Keys carry the shard id and the sequence number of the
 * first record an object holds, so a redelivered batch rewrites the same keys; see README
 * "Lambda handlers" for why the first sequence number alone is the safer key.
 */
import { gzipSync } from 'node:zlib';
import { partitionDate } from '../../src/core/event.ts';
import { rawFolderOf } from '../../src/core/lake.ts';
import type { InvalidRecord, ValidRecord } from './decode.ts';

export interface LakeObject {
  key: string;
  body: Uint8Array;
  contentType: string;
  /** Batch index of the first record held: a failed write makes the batch fail from here. */
  firstIndex: number;
  records: number;
}

/**
 * Raw objects: one gzip NDJSON object per run of consecutive records bound for the same folder —
 * a date for fresh records, a month for older ones (rawFolderOf), so a batch of replayed daily
 * bars makes a few objects, not one per date. Runs (rather than one object per folder) keep each
 * object a contiguous slice of the shard, so stopping at a failed object never leaves a later
 * record already in the lake.
 */
export function rawObjects(shardId: string, records: readonly ValidRecord[], now: Date): LakeObject[] {
  const objects: LakeObject[] = [];
  let run: ValidRecord[] = [];
  let runFolder = '';
  const flush = () => {
    const first = run[0];
    if (!first) return;
    const lines = run.map((record) => `${JSON.stringify(record.event)}\n`).join('');
    objects.push({
      key: `${runFolder}/${shardId}-${first.sequenceNumber}.json.gz`,
      body: gzipSync(lines),
      // No Content-Encoding: readers (Athena, DuckDB) go by the .gz extension, and an HTTP client
      // that honoured the header would hand them already-inflated bytes.
      contentType: 'application/gzip',
      firstIndex: first.index,
      records: run.length,
    });
    run = [];
  };
  for (const record of records) {
    const folder = rawFolderOf(record.event.timestamp, now);
    if (folder !== runFolder) {
      flush();
      runFolder = folder;
    }
    run.push(record);
  }
  flush();
  return objects;
}

/**
 * Quarantine: one small JSON object per invalid record, keyed by its own sequence number, so it
 * is idempotent however Lambda splits or retries the batch. Invalid records are the exception;
 * a flood of them is worth seeing record by record.
 */
export function quarantineObject(shardId: string, record: InvalidRecord): LakeObject {
  const text = Buffer.from(record.payload).toString('utf8');
  const isText = Buffer.from(text, 'utf8').equals(Buffer.from(record.payload));
  const document = {
    reason: record.reason,
    detail: record.detail,
    shard_id: shardId,
    sequence_number: record.sequenceNumber,
    partition_key: record.partitionKey,
    arrived_at: record.arrivedAt,
    payload_encoding: isText ? 'utf8' : 'base64',
    payload: isText ? text : Buffer.from(record.payload).toString('base64'),
  };
  return {
    key: `quarantine/dt=${partitionDate(record.arrivedAt)}/${shardId}-${record.sequenceNumber}.json`,
    body: Buffer.from(`${JSON.stringify(document)}\n`),
    contentType: 'application/json',
    firstIndex: record.index,
    records: 1,
  };
}
