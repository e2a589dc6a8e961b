/**
 * One Kinesis batch, in shard order:
 *   1. decode and validate every record;
 *   2. quarantine the invalid ones (one idempotent object each);
 *   3. store the valid ones in DynamoDB (BatchWriteItem, 25 per call), and quarantine any that
 *      DynamoDB refuses for good (its refusal is permanent: retrying would fail the batch forever);
 *   4. write the stored ones to the raw lake, one gzip NDJSON object per date (or month) run, in parallel.
 * Each step only handles records before the first failure of the steps before it, so when
 * record k fails the batch reports k onwards: Lambda retries from k, nothing before k is
 * written twice, and lake objects from k on are rewritten under the same keys. DynamoDB writes
 * past k are harmless (the same key overwrites itself).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { IngestConfig } from '../../src/core/handler-env.ts';
import { failuresFrom, type PartialBatchResponse } from '../shared/batch-response.ts';
import { errorFields, type HandlerLog } from '../shared/log.ts';
import type { RetryPolicy } from '../shared/retry.ts';
import { decodeRecords, type InvalidRecord, shardIdOf } from './decode.ts';
import { type LakeObject, quarantineObject, rawObjects } from './lake.ts';
import { quoteItem, writeQuotes } from './quotes.ts';

/**
 * Raw objects written at once: a batch makes one (live data) or a few (history), but one that
 * mixes fresh and older records may switch folders record by record.
 */
const RAW_PUT_CONCURRENCY = 16;

export interface IngestDeps {
  config: IngestConfig;
  documents: DynamoDBDocumentClient;
  s3: S3Client;
  log: HandlerLog;
  now?: () => Date;
  remainingMs?: () => number;
  retry?: RetryPolicy;
}

export interface IngestCounts {
  received: number;
  stored: number;
  quarantined: number;
  /** Replaced in this batch by a later observation of the same symbol and timestamp. */
  superseded: number;
  failed: number;
  s3_puts: number;
  ddb_write_requests: number;
}

export async function ingestBatch(
  records: readonly KinesisStreamRecord[],
  deps: IngestDeps,
): Promise<PartialBatchResponse & { counts: IngestCounts }> {
  const { config, log } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const first = records[0];
  const shardId = first ? shardIdOf(first) : 'shard';
  const decoded = decodeRecords(records, now);
  let limit = records.length; // every record at or after `limit` is left for Lambda's retry
  let s3Puts = 0;

  // 2. Quarantine: independent keys, so in parallel.
  const quarantine = decoded.invalid.map((record) => quarantineObject(shardId, record));
  const quarantineResults = await Promise.all(quarantine.map((object) => putObject(deps, object)));
  s3Puts += quarantine.length;
  quarantine.forEach((object, i) => {
    if (!quarantineResults[i]) limit = Math.min(limit, object.firstIndex);
  });

  // 3. DynamoDB.
  const toStore = decoded.valid.filter((record) => record.index < limit);
  const items = toStore.map((record) => quoteItem(record, config, now));
  const quotes = await writeQuotes(deps.documents, config.quotesTable, toStore, items, log, {
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.remainingMs ? { remainingMs: deps.remainingMs } : {}),
  });
  if (quotes.firstFailedIndex !== undefined) limit = Math.min(limit, quotes.firstFailedIndex);

  // 3b. What DynamoDB refused for good is quarantined like any record that cannot be stored.
  const refusedIndex = new Set(quotes.refused.map((refusal) => refusal.index));
  const refused: InvalidRecord[] = [];
  for (const refusal of quotes.refused) {
    const record = toStore.find((candidate) => candidate.index === refusal.index);
    if (!record || record.index >= limit) continue;
    refused.push({
      index: record.index,
      sequenceNumber: record.sequenceNumber,
      reason: 'refused_by_store',
      detail: refusal.detail,
      ...record.source,
    });
  }
  const refusedObjects = refused.map((record) => quarantineObject(shardId, record));
  const refusedResults = await Promise.all(refusedObjects.map((object) => putObject(deps, object)));
  s3Puts += refusedObjects.length;
  refusedObjects.forEach((object, i) => {
    if (!refusedResults[i]) limit = Math.min(limit, object.firstIndex);
  });

  // 4. Raw lake, in parallel. A failed object cuts the batch at its first record; objects after it
  //    that were written are rewritten under the same keys by the retry (it starts at that first
  //    record, so its runs from there are the same runs), never added twice.
  const raw = rawObjects(
    shardId,
    toStore.filter((record) => record.index < limit && !refusedIndex.has(record.index)),
    now,
  );
  const rawResults = await mapConcurrent(raw, RAW_PUT_CONCURRENCY, (object) => putObject(deps, object));
  s3Puts += raw.length;
  raw.forEach((object, i) => {
    if (!rawResults[i]) limit = Math.min(limit, object.firstIndex);
  });

  const counts: IngestCounts = {
    received: records.length,
    stored: decoded.valid.filter((record) => record.index < limit && !refusedIndex.has(record.index)).length,
    quarantined:
      decoded.invalid.filter((record) => record.index < limit).length +
      refused.filter((record) => record.index < limit).length,
    // Like stored and quarantined: only what this invocation finished with (a retry counts the rest).
    superseded: decoded.superseded.filter((index) => index < limit).length,
    failed: records.length - limit,
    s3_puts: s3Puts,
    ddb_write_requests: quotes.requests,
  };
  const reasons: Record<string, number> = {};
  for (const record of [...decoded.invalid, ...refused]) {
    if (record.index < limit) reasons[record.reason] = (reasons[record.reason] ?? 0) + 1;
  }
  const response = failuresFrom(
    records.map((record) => record.kinesis.sequenceNumber),
    limit,
  );
  const summary = {
    shard_id: shardId,
    ...counts,
    ...(Object.keys(reasons).length > 0 ? { quarantine_reasons: reasons } : {}),
    ...(limit < records.length ? { first_failed_sequence_number: records[limit]?.kinesis.sequenceNumber } : {}),
  };
  if (limit < records.length) log.warn('batch partially stored; Lambda retries from the first failed record', summary);
  else log.info('batch stored', summary);
  return { ...response, counts };
}

/** `fn` over `items`, at most `limit` at a time; results in input order. */
async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function putObject(deps: IngestDeps, object: LakeObject): Promise<boolean> {
  try {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.config.rawBucket,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
      }),
    );
    return true;
  } catch (error) {
    deps.log.warn('PutObject failed', { key: object.key, records: object.records, ...errorFields(error) });
    return false;
  }
}
