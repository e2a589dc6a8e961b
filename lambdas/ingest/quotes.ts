/**
 * Quote items → DynamoDB with BatchWriteItem, 25 items per call (the API limit), the chunks in
 * parallel. UnprocessedItems (throttling) are retried with jittered backoff; the SDK retries
 * whole-call throttling and 5xx itself. A call refused for good (ValidationException: one item
 * DynamoDB will never take fails its 24 neighbours with it) is retried item by item, so only the
 * refused item is set aside — quarantined by the caller — instead of failing the batch forever.
 * Whatever still fails is reported as the batch index of the first record not known to be stored.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { IngestConfig } from '../../src/core/handler-env.ts';
import { isAnomaly } from '../../src/core/metrics.ts';
import { retry } from '../../src/core/retry.ts';
import type { QuoteItem } from '../../src/core/tables.ts';
import { errorFields, type HandlerLog } from '../shared/log.ts';
import { type RetryPolicy, UNPROCESSED_RETRY } from '../shared/retry.ts';
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
  /** Records DynamoDB refuses for good (batch index and why): not stored, never retried. */
  refused: { index: number; detail: string }[];
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
  const refused: { index: number; detail: string }[] = [];
  const failedIndices = await Promise.all(
    chunks.map(async (chunk) => {
      const result = await writeChunk(documents, table, chunk, log, options);
      requests += result.calls;
      for (const { item, detail } of result.refused)
        refused.push({ index: indexByKey.get(keyOf(item)) as number, detail });
      return result.failed.map((item) => indexByKey.get(keyOf(item)) as number);
    }),
  );
  const all = failedIndices.flat();
  return {
    firstFailedIndex: all.length > 0 ? Math.min(...all) : undefined,
    refused: refused.sort((a, b) => a.index - b.index),
    requests,
  };
}

/**
 * A refusal no retry changes: DynamoDB's ValidationException (a number it cannot hold, an item
 * too large…) or the document client refusing to marshal a value before any call is made.
 */
export function isPermanentWriteError(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'ValidationException') return true;
  // The document client's marshalling errors are plain Errors thrown before any request (no
  // $metadata); every service or network failure has a name of its own.
  const metadata = (error as { $metadata?: unknown } | null)?.$metadata;
  return error instanceof Error && name === 'Error' && metadata === undefined;
}

interface ChunkResult {
  failed: QuoteItem[];
  refused: { item: QuoteItem; detail: string }[];
  calls: number;
}

/** One item at a time, after a permanent refusal of its chunk: who is refused, who failed. */
async function writeOneByOne(
  documents: DynamoDBDocumentClient,
  table: string,
  items: QuoteItem[],
  log: HandlerLog,
): Promise<ChunkResult> {
  const failed: QuoteItem[] = [];
  const refused: { item: QuoteItem; detail: string }[] = [];
  for (const item of items) {
    try {
      await documents.send(new PutCommand({ TableName: table, Item: item }));
    } catch (error) {
      if (isPermanentWriteError(error)) {
        refused.push({ item, detail: `DynamoDB refused the item: ${(error as Error).message}` });
      } else {
        log.warn('PutItem failed', { symbol: item.symbol, timestamp: item.timestamp, ...errorFields(error) });
        failed.push(item);
      }
    }
  }
  return { failed, refused, calls: items.length };
}

async function writeChunk(
  documents: DynamoDBDocumentClient,
  table: string,
  chunk: QuoteItem[],
  log: HandlerLog,
  options: QuoteWriteOptions,
): Promise<ChunkResult> {
  const policy = options.retry ?? UNPROCESSED_RETRY;
  let pending: QuoteItem[] = chunk;
  let calls = 0;
  /** What a call settled for good (`final`), or the items DynamoDB left unprocessed. */
  const write = async (): Promise<ChunkResult & { final: boolean }> => {
    calls++;
    try {
      const output = await documents.send(
        new BatchWriteCommand({ RequestItems: { [table]: pending.map((Item) => ({ PutRequest: { Item } })) } }),
      );
      const unprocessed = output.UnprocessedItems?.[table] ?? [];
      pending = unprocessed.map((request) => request.PutRequest?.Item as QuoteItem);
      return { failed: pending, refused: [], calls, final: false };
    } catch (error) {
      if (isPermanentWriteError(error)) {
        log.warn('BatchWriteItem refused; writing item by item to set aside what DynamoDB refuses', {
          items: pending.length,
          ...errorFields(error),
        });
        const single = await writeOneByOne(documents, table, pending, log);
        return { failed: single.failed, refused: single.refused, calls: calls + single.calls, final: true };
      }
      // The SDK has already retried throttling and 5xx; what reaches us is not worth retrying here.
      log.warn('BatchWriteItem failed', { items: pending.length, ...errorFields(error) });
      return { failed: pending, refused: [], calls, final: true };
    }
  };
  const { final, ...result } = await retry(write, {
    attempts: policy.retries + 1,
    backoff: policy,
    done: (outcome) => outcome.final || outcome.failed.length === 0,
    mayWait: (delayMs) => !options.remainingMs || options.remainingMs() >= delayMs + 5000,
  });
  if (!final && result.failed.length > 0) {
    log.warn('DynamoDB left items unprocessed after retries', { items: result.failed.length, calls });
  }
  return result;
}

function keyOf(item: { symbol: string; timestamp: string }): string {
  return `${item.symbol}#${item.timestamp}`;
}
