/**
 * What the demo reports, read back from where the pipeline put it (not from the producer's own
 * counts): quote items and alert records from DynamoDB, quarantined records from the lake, and
 * latency percentiles from the timestamps the handlers wrote.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertRecord, QuoteItem } from '../../core/tables.ts';

export { ingestSummaries } from '../../logs/ingest-summaries.ts';

/**
 * Observations replaced by a later one with the same symbol and timestamp: inside a batch (the
 * summaries' count) and across batches (stored by ingest, but overwritten in DynamoDB).
 */
export function supersededCount(summaries: { stored: number; superseded: number }, items: number): number {
  return summaries.superseded + Math.max(0, summaries.stored - items);
}

/** Every item of the given symbols, one paginated Query per symbol. */
export async function readBySymbol<T>(
  documents: DynamoDBDocumentClient,
  table: string,
  symbols: readonly string[],
): Promise<T[]> {
  const { paginateQuery } = await import('@aws-sdk/lib-dynamodb');
  const items: T[] = [];
  for (const symbol of symbols) {
    const pages = paginateQuery(
      { client: documents },
      {
        TableName: table,
        KeyConditionExpression: 'symbol = :s',
        ExpressionAttributeValues: { ':s': symbol },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) items.push(...((page.Items ?? []) as T[]));
  }
  return items;
}

/**
 * The ingest function writes one quarantine object per invalid record. Listed with ListObjects
 * (v1): s3rver's V2 continuation tokens need a cipher OpenSSL 3 lacks, so a second V2 page fails.
 */
export async function countQuarantined(s3: S3Client, bucket: string): Promise<number> {
  const { ListObjectsCommand } = await import('@aws-sdk/client-s3');
  let count = 0;
  let Marker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'quarantine/', Marker }));
    const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
    count += keys.length;
    if (!page.IsTruncated || keys.length === 0) return count;
    Marker = page.NextMarker ?? keys[keys.length - 1];
  }
}

export interface Percentiles {
  p50: number | null;
  p99: number | null;
  max: number | null;
  count: number;
}

/** Nearest-rank percentiles; nulls for an empty sample. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { p50: null, p99: null, max: null, count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
  return { p50: rank(50), p99: rank(99), max: sorted[sorted.length - 1] as number, count: sorted.length };
}

/** Observation → stored in DynamoDB (ingested_at − timestamp). */
export function eventToStore(items: readonly QuoteItem[]): Percentiles {
  return percentiles(items.map((item) => Date.parse(item.ingested_at) - Date.parse(item.timestamp)));
}

/** Observation that raised the signal → alert published (published_at − timestamp). */
export function eventToAlert(alerts: readonly AlertRecord[]): Percentiles {
  return percentiles(alerts.map((alert) => Date.parse(alert.published_at) - Date.parse(alert.timestamp)));
}
