/**
 * The local stack and its Lambda runner, with stand-in handlers (the real bundles are measured
 * by `bench e2e`): cold start of the stack, and the runner's added latency at the default
 * mapping settings (batch 100, window 1 s) — event sent → ingest handler stored it → trends
 * handler saw its INSERT — for a steady stream of 200 events/s over 2 shards for 10 s.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { onDemandTableKeys } from '../src/core/tables.ts';
import { localAwsClients } from '../src/local/clients.ts';
import { writeLocalPipeline } from '../src/local/pipelines.ts';
import { ensureLocalStack, stopLocalStack } from '../src/local/stack.ts';
import { median, report } from './_report.ts';

const RATE = 200;
const SECONDS = 10;
const DYNAMODB_MODULE = import.meta.resolve('@aws-sdk/client-dynamodb');
const LOADER = `
import { appendFileSync } from 'node:fs';
import { BatchWriteItemCommand, DynamoDBClient } from ${JSON.stringify(DYNAMODB_MODULE)};
const db = new DynamoDBClient({});
export async function loadLambdaHandler(kind) {
  if (kind === 'ingest') return async (event) => {
    const quotes = event.Records.map((r) => JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8')));
    for (let i = 0; i < quotes.length; i += 25) {
      await db.send(new BatchWriteItemCommand({ RequestItems: { [process.env.QUOTES_TABLE]: quotes.slice(i, i + 25).map((q) => ({
        PutRequest: { Item: { symbol: { S: q.symbol }, timestamp: { S: q.timestamp }, sent: { N: String(q.sent) } } } })) } }));
    }
    const now = Date.now();
    appendFileSync(process.env.OUT, quotes.map((q) => (now - q.sent) + '\\n').join(''));
    return { batchItemFailures: [] };
  };
  return async (event) => {
    const now = Date.now();
    appendFileSync(process.env.OUT, event.Records.map((r) => (now - Number(r.dynamodb.NewImage.sent.N)) + '\\n').join(''));
    return { batchItemFailures: [] };
  };
}
`;

const readNumbers = (file: string) => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

// Cold start of the stack (fresh folder each time).
const starts: number[] = [];
for (let i = 0; i < 3; i++) {
  const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-bench-start-'));
  const started = performance.now();
  await ensureLocalStack(cwd);
  starts.push(performance.now() - started);
  await stopLocalStack(cwd);
  rmSync(cwd, { recursive: true, force: true });
}
report('local', 'stack_start_ms', median(starts), 'ms');

const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-bench-runner-'));
const ingestOut = join(cwd, 'ingest.txt');
const trendsOut = join(cwd, 'trends.txt');
writeFileSync(ingestOut, '');
writeFileSync(trendsOut, '');
writeFileSync(join(cwd, 'loader.mjs'), LOADER);
try {
  const stack = await ensureLocalStack(cwd);
  const clients = localAwsClients(stack.endpoints);
  const kinesis = await clients.get('kinesis');
  const dynamodb = await clients.get('dynamodb');
  await kinesis.send(new CreateStreamCommand({ StreamName: 'b-stream', ShardCount: 2 }));
  await dynamodb.send(
    new CreateTableCommand({ TableName: 'b-quotes', ...onDemandTableKeys({ partition: 'symbol', sort: 'timestamp' }) }),
  );
  writeLocalPipeline(cwd, {
    name: 'b',
    stream: 'b-stream',
    quotesTable: 'b-quotes',
    alertsTable: 'b-alerts',
    rawBucket: 'b-raw',
    ingestEnv: { QUOTES_TABLE: 'b-quotes', OUT: ingestOut },
    trendsEnv: { OUT: trendsOut },
    handlerLoader: pathToFileURL(join(cwd, 'loader.mjs')).href,
  });
  await sleep(1500); // the daemon picks the pipeline up and loads the handlers
  const symbols = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA', 'META', 'TSLA', 'IBM'];
  const total = RATE * SECONDS;
  const began = performance.now();
  for (let sent = 0; sent < total; sent += RATE / 10) {
    const records = Array.from({ length: RATE / 10 }, (_, i) => {
      const n = sent + i;
      const symbol = symbols[n % symbols.length] as string;
      const quote = { symbol, timestamp: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(), sent: Date.now() };
      return { PartitionKey: symbol, Data: Buffer.from(JSON.stringify(quote)) };
    });
    await kinesis.send(new PutRecordsCommand({ StreamName: 'b-stream', Records: records }));
    const next = began + ((sent + RATE / 10) / RATE) * 1000;
    await sleep(Math.max(0, next - performance.now()));
  }
  const deadline = Date.now() + 30_000;
  while (readNumbers(trendsOut).length < total && Date.now() < deadline) await sleep(100);
  const elapsed = (performance.now() - began) / 1000;
  const store = readNumbers(ingestOut);
  const trends = readNumbers(trendsOut);
  report('local', 'events_per_s', trends.length / elapsed, 'events/s');
  report('local', 'runner_event_to_store_p50_ms', percentile(store, 50), 'ms');
  report('local', 'runner_event_to_store_p99_ms', percentile(store, 99), 'ms');
  report('local', 'runner_event_to_trends_p50_ms', percentile(trends, 50), 'ms');
  report('local', 'runner_event_to_trends_p99_ms', percentile(trends, 99), 'ms');
  report('local', 'events_sent', total, 'events');
  report('local', 'trends_records_delivered', trends.length, 'records');
  await clients.destroy();
} finally {
  await stopLocalStack(cwd);
  rmSync(cwd, { recursive: true, force: true });
}
