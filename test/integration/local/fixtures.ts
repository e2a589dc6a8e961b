/** Shared fixtures of the daemon tests: handlers loaded by the runner, a pipeline's resources. */
import assert from 'node:assert/strict';
import { globSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { onDemandTableKeys } from '../../../src/core/tables.ts';
import { localAwsClients } from '../../../src/local/clients.ts';
import { localPaths } from '../../../src/local/paths.ts';
import { writeLocalPipeline } from '../../../src/local/pipelines.ts';
import { ensureLocalStack } from '../../../src/local/stack.ts';
import { waitFor } from '../../helpers/wait.ts';

export interface Quote {
  symbol: string;
  timestamp: string;
  price: number;
}

// Fixture handlers, loaded by the daemon's runner the way the real bundles will be.
const DYNAMODB_MODULE = import.meta.resolve('@aws-sdk/client-dynamodb');
export const LOADER = `
import { appendFileSync } from 'node:fs';
import { BatchWriteItemCommand, DynamoDBClient, PutItemCommand } from ${JSON.stringify(DYNAMODB_MODULE)};
const db = new DynamoDBClient({});
export async function loadLambdaHandler(kind) {
  if (kind === 'ingest') {
    return async (event, context) => {
      // A raw JSON line, as Powertools writes it (its own Console on stdout).
      process.stdout.write(JSON.stringify({ level: 'INFO', message: 'ingest batch', size: event.Records.length, function_request_id: context.awsRequestId }) + '\\n');
      const quotes = event.Records.map((r) => JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8')));
      if (quotes.some((q) => q.symbol === 'POISON')) throw new Error('poison record');
      for (const q of quotes) appendFileSync(process.env.SEEN_FILE, JSON.stringify(q) + '\\n');
      for (let i = 0; i < quotes.length; i += 25) {
        await db.send(new BatchWriteItemCommand({ RequestItems: { [process.env.QUOTES_TABLE]: quotes.slice(i, i + 25).map((q) => ({
          PutRequest: { Item: { symbol: { S: q.symbol }, timestamp: { S: q.timestamp }, price: { N: String(q.price) } } },
        })) } }));
      }
      return { batchItemFailures: [] };
    };
  }
  return async (event) => {
    console.log('trends saw ' + event.Records.length + ' ' + event.Records.map((r) => r.eventName).join(','));
    for (const r of event.Records) {
      const image = r.dynamodb.NewImage;
      await db.send(new PutItemCommand({ TableName: process.env.ALERTS_TABLE, Item: {
        symbol: image.symbol, alert_key: { S: image.timestamp.S + '#BUY' }, signal: { S: 'BUY' }, price: image.price,
      } }));
    }
    return { batchItemFailures: [] };
  };
}
`;

/** Writes the fixture loader module into the folder; returns its path. */
export const FIXTURE_RAW_BUCKET = 'p-raw-000000000000-us-east-1';

export function writeFixtureLoader(dir: string): string {
  const file = join(dir, 'loader.mjs');
  writeFileSync(file, LOADER);
  return file;
}

/** Stream p-stream, tables p-quotes and p-alerts, bucket p-raw-…, and pipeline p registered with the fixture handlers. */
export async function createFixturePipeline(
  cwd: string,
  options: { shards: number; seenFile: string; loader: string; batchingWindowMs?: number },
): Promise<void> {
  const stack = await ensureLocalStack(cwd);
  const clients = localAwsClients(stack.endpoints);
  try {
    const kinesis = await clients.get('kinesis');
    await createActiveStream(kinesis, 'p-stream', options.shards);
    const dynamodb = await clients.get('dynamodb');
    for (const [table, sort] of [
      ['p-quotes', 'timestamp'],
      ['p-alerts', 'alert_key'],
    ] as const) {
      await dynamodb.send(
        new CreateTableCommand({ TableName: table, ...onDemandTableKeys({ partition: 'symbol', sort }) }),
      );
    }
    // The raw bucket: the on-failure destination of both mappings.
    await (await clients.get('s3')).send(new CreateBucketCommand({ Bucket: FIXTURE_RAW_BUCKET }));
  } finally {
    await clients.destroy();
  }
  writeLocalPipeline(cwd, {
    name: 'p',
    stream: 'p-stream',
    quotesTable: 'p-quotes',
    alertsTable: 'p-alerts',
    rawBucket: FIXTURE_RAW_BUCKET,
    ingestEnv: { QUOTES_TABLE: 'p-quotes', SEEN_FILE: options.seenFile },
    trendsEnv: { QUOTES_TABLE: 'p-quotes', ALERTS_TABLE: 'p-alerts', ALERTS_TOPIC_ARN: '' },
    handlerLoader: pathToFileURL(options.loader).href,
    ingestMapping: { batchingWindowMs: options.batchingWindowMs ?? 100, retryBaseDelayMs: 10, maximumRetryAttempts: 1 },
    trendsMapping: { batchingWindowMs: 100 },
  });
}

export async function putQuotes(cwd: string, quotes: Quote[]): Promise<void> {
  const stack = await ensureLocalStack(cwd);
  const clients = localAwsClients(stack.endpoints);
  try {
    const kinesis = await clients.get('kinesis');
    const result = await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'p-stream',
        Records: quotes.map((q) => ({ PartitionKey: q.symbol, Data: Buffer.from(JSON.stringify(q)) })),
      }),
    );
    assert.equal(result.FailedRecordCount ?? 0, 0);
  } finally {
    await clients.destroy();
  }
}

export function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Creates a stream and waits until it is ACTIVE (kinesalite flips it asynchronously). */
export async function createActiveStream(kinesis: KinesisClient, name: string, shards: number): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitFor(
    async () => {
      const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      return summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
    },
    `stream ${name} to become ACTIVE`,
    { intervalMs: 20 },
  );
}

/** The objects s3rver holds under `prefix` of a bucket in the local stack's folder: key → body. */
/**
 * s3rver dates an object by its file's mtime, which the kernel stamps. Under a shifted process
 * clock (faketime, as the suite is also run a year ahead) that is not "now": stamp the objects
 * with this process's clock, so "kept in the last day" means the same under any clock.
 */
export function stampObjectsNow(cwd: string, bucket: string, prefix: string): void {
  const root = join(localPaths(cwd).s3Dir, bucket);
  const now = new Date();
  for (const file of globSync(`${prefix}**/*._S3rver_object`, { cwd: root })) utimesSync(join(root, file), now, now);
}

export function localObjects(cwd: string, bucket: string, prefix: string): Map<string, string> {
  const root = join(localPaths(cwd).s3Dir, bucket);
  const found = new Map<string, string>();
  for (const file of globSync(`${prefix}**/*._S3rver_object`, { cwd: root })) {
    found.set(file.slice(0, -'._S3rver_object'.length), readFileSync(join(root, file), 'utf8'));
  }
  return found;
}
