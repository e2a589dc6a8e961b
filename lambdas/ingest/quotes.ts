/**
 * Quote items → DynamoDB with BatchWriteItem, 25 items per call (the API limit), the chunks in
 * parallel. UnprocessedItems (throttling) are retried with jittered backoff; the SDK retries
 * whole-call throttling and 5xx itself. Whatever still fails is reported as the batch index of
 * the first record not known to be stored.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IngestConfig } from '../../src/core/handler-env.ts';
import { isAnomaly } from '../../src/core/metrics.ts';
import type { QuoteItem } from '../../src/core/tables.ts';
import { errorFields, type HandlerLog } from '../shared/log.ts';
import { backoffMs, type RetryPolicy, sleep, UNPROCESSED_RETRY } from '../shared/retry.ts';
import type { ValidRecord } from './decode.ts';

export const BATCH_WRITE_LIMIT = 25;

export function quoteItem(record: ValidRecord, config: IngestConfig, now: Date): QuoteItem {
  return {
    ...record.event,
    anomaly: isAnomaly(record.event.change_percent, config.anomalyThresholdPct),
    ingested_at: now.toISOString(),
    // TTL counts from ingestion, so replayed history lives as long as live data.
    expires_at: Math.floor(now.getTime() / 1000) + Math.round(config.ttlDays * 86_400),
  };
}

export interface QuoteWriteResult {
  /** Batch index of the first record that could not be stored, or undefined when all were. */
  firstFailedIndex: number | undefined;
  /** BatchWriteItem calls made (each retry counts). */
  requests: number;
}

export interface QuoteWriteOptions {
  retry?: RetryPolicy;
  /** Stop retrying when the invocation is about to time out. */
  remainingMs?: () => number;
}

export async function writeQuotes(
  documents: DynamoDBDocumentClient,
  table: string,
  records: readonly ValidRecord[],
  items: readonly QuoteItem[],
  log: HandlerLog,
  options: QuoteWriteOptions = {},
): Promise<QuoteWriteResult> {
  const indexByKey = new Map(records.map((record, i) => [keyOf(items[i] as QuoteItem), record.index]));
  const chunks: QuoteItem[][] = [];
  for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT) chunks.push(items.slice(i, i + BATCH_WRITE_LIMIT));
  let requests = 0;
  const failedIndices = await Promise.all(
    chunks.map(async (chunk) => {
      const { failed, calls } = await writeChunk(documents, table, chunk, log, options);
      requests += calls;
      return failed.map((item) => indexByKey.get(keyOf(item)) as number);
    }),
  );
  const all = failedIndices.flat();
  return { firstFailedIndex: all.length > 0 ? Math.min(...all) : undefined, requests };
}

async function writeChunk(
  documents: DynamoDBDocumentClient,
  table: string,
  chunk: QuoteItem[],
  log: HandlerLog,
  options: QuoteWriteOptions,
): Promise<{ failed: QuoteItem[]; calls: number }> {
  const policy = options.retry ?? UNPROCESSED_RETRY;
  let pending: QuoteItem[] = chunk;
  let calls = 0;
  for (let attempt = 0; ; attempt++) {
    calls++;
    try {
      const output = await documents.send(
        new BatchWriteCommand({ RequestItems: { [table]: pending.map((Item) => ({ PutRequest: { Item } })) } }),
      );
      const unprocessed = output.UnprocessedItems?.[table] ?? [];
      pending = unprocessed.map((request) => request.PutRequest?.Item as QuoteItem);
    } catch (error) {
      // The SDK has already retried throttling and 5xx; what reaches us is not worth retrying here.
      log.warn('BatchWriteItem failed', { items: pending.length, ...errorFields(error) });
      return { failed: pending, calls };
    }
    if (pending.length === 0) return { failed: [], calls };
    if (attempt >= policy.retries) break;
    const delay = backoffMs(attempt, policy);
    if (options.remainingMs && options.remainingMs() < delay + 5000) break;
    await sleep(delay);
  }
  log.warn('DynamoDB left items unprocessed after retries', { items: pending.length, calls });
  return { failed: pending, calls };
}

function keyOf(item: { symbol: string; timestamp: string }): string {
  return `${item.symbol}#${item.timestamp}`;
}
