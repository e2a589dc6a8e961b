/**
 * Where the raw bucket keeps what did not become a quote, and how to read it back for a redrive.
 * Pure: keys and documents in, records out.
 *
 * - `aws/lambda/…` — batches the event source mappings gave up on. The prefix is not ours: Lambda
 *   fixes the key of an S3 on-failure destination (`aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/…`),
 *   and the local runner writes the same. Each object is the whole invocation record, the event
 *   the function was invoked with under `payload`.
 * - `quarantine/dt=…/` — single records the ingest function could not read, with their reason.
 * - `redriven/<original key>` — what `stockpipe redrive` has put back on the stream, moved aside so
 *   it is never redriven twice.
 */

export const FAILED_PREFIX = 'aws/lambda/';
export const QUARANTINE_PREFIX = 'quarantine/';
export const REDRIVEN_PREFIX = 'redriven/';

export type RedriveSource = 'failed' | 'quarantine';

export function prefixOf(source: RedriveSource): string {
  return source === 'failed' ? FAILED_PREFIX : QUARANTINE_PREFIX;
}

/** One record to put back on the Kinesis stream. */
export interface StreamRecord {
  data: Uint8Array;
  partitionKey: string;
}

export type ReadBack =
  | { ok: true; records: StreamRecord[] }
  /** Not something a redrive can put back (e.g. a DynamoDB-stream failure of the trends function). */
  | { ok: false; reason: string };

/** The records of a failed Kinesis batch (the `payload` Lambda kept), in shard order. */
export function recordsOfFailure(document: unknown): ReadBack {
  const doc = document as {
    KinesisBatchInfo?: unknown;
    DDBStreamBatchInfo?: unknown;
    payload?: unknown;
  } | null;
  if (!doc || typeof doc !== 'object') return { ok: false, reason: 'not an invocation record' };
  if (doc.DDBStreamBatchInfo) {
    return { ok: false, reason: 'a DynamoDB-stream batch of the trends function: its quotes are stored already' };
  }
  // Lambda may send the payload as a JSON string or as an object.
  let payload = doc.payload;
  if (typeof payload === 'string') {
    try {
      payload = JSON.parse(payload);
    } catch {
      return { ok: false, reason: 'its payload is not JSON' };
    }
  }
  const records = (payload as { Records?: unknown } | undefined)?.Records;
  if (!doc.KinesisBatchInfo || !Array.isArray(records)) return { ok: false, reason: 'it holds no Kinesis records' };
  const out: StreamRecord[] = [];
  for (const record of records) {
    const kinesis = (record as { kinesis?: { data?: unknown; partitionKey?: unknown } } | null)?.kinesis;
    if (typeof kinesis?.data !== 'string') return { ok: false, reason: 'a record without data' };
    out.push({
      data: Buffer.from(kinesis.data, 'base64'),
      partitionKey: typeof kinesis.partitionKey === 'string' && kinesis.partitionKey ? kinesis.partitionKey : 'redrive',
    });
  }
  return { ok: true, records: out };
}

/** The record a quarantine object kept (`payload` as UTF-8 text or base64). */
export function recordOfQuarantine(document: unknown): ReadBack {
  const doc = document as {
    payload?: unknown;
    payload_encoding?: unknown;
    partition_key?: unknown;
  } | null;
  if (!doc || typeof doc !== 'object' || typeof doc.payload !== 'string') {
    return { ok: false, reason: 'not a quarantine record' };
  }
  const data =
    doc.payload_encoding === 'base64' ? Buffer.from(doc.payload, 'base64') : Buffer.from(doc.payload, 'utf8');
  const partitionKey = typeof doc.partition_key === 'string' && doc.partition_key ? doc.partition_key : 'redrive';
  return { ok: true, records: [{ data, partitionKey }] };
}

/** Where a redrive claims an object before it sends its records (one claim object per kept object). */
export const CLAIM_PREFIX = 'redriving/';

/** The key of the claim on a kept object. */
export function claimKey(key: string): string {
  return `${CLAIM_PREFIX}${key}`;
}

/** The key an object is moved to once redriven. */
export function redrivenKey(key: string): string {
  return `${REDRIVEN_PREFIX}${key}`;
}
