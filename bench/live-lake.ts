/**
 * `npm run bench -- live-lake`: the lake objects live data makes on AWS, simulated on the local
 * target's S3 (s3rver) with the ingest function's own code, then compacted (docs/lake.md).
 *
 * Ten symbols polled every 30 s for a day (STOCKPIPE_BENCH_LIVE_HOURS, default 24), as AWS's ingest
 * mapping delivers them: the producer puts each poll's ten records with the symbol as partition
 * key; an on-demand stream has four shards splitting the hash key space evenly (a record's shard is
 * the MD5 of its partition key); each shard's mapping polls about once a second, so a poll's
 * records reach it within its 1 s batching window and make one invocation per shard that got any
 * — one lake object each (live records are written by date). The next poll is 30 s later: a new
 * batch. DynamoDB is stubbed (the quotes table is not what is measured).
 *
 * Then `compact` (DuckDB, as offline) two days later, when the day is closed, and the bytes each
 * named query over that day scans before and after, as Athena bills them: gzip NDJSON read whole,
 * Parquet only in the column chunks the query names. The named queries must return the same rows
 * before and after, or the bench fails.
 */
import { createHash } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KinesisStreamRecord } from 'aws-lambda';
import { ingestBatch } from '../lambdas/ingest/ingest.ts';
import { localCompactionLake } from '../src/commands/compact/local.ts';
import { parseCompactOptions } from '../src/commands/compact/options.ts';
import { compactLake } from '../src/commands/compact/run.ts';
import type { StockEvent } from '../src/core/event.ts';
import { bucketNames } from '../src/core/names.ts';
import { DuckDbQueryRunner } from '../src/query/duckdb.ts';
import { buildNamedQuery, NAMED_QUERY_NAMES } from '../src/query/named.ts';
import { rowsAsObjects } from '../src/query/runner.ts';
import { createCaptureIO } from '../src/ui/io.ts';
import { startEmulators } from '../test/helpers/emulators.ts';
import { parquetBytesPerQuery } from './_parquet-bytes.ts';
import { report } from './_report.ts';

const BENCH = 'live-lake';
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN', 'GOOG', 'META', 'IBM', 'ORCL', 'INTC'];
const SHARDS = 4;
const POLL_MS = 30_000;
const HOURS = Number(process.env.STOCKPIPE_BENCH_LIVE_HOURS ?? 24);
const DAY = '2026-11-02';
const buckets = bucketNames('stockpipe', '000000000000', 'us-east-1');

/** Kinesis's shard of a partition key: the MD5 hash key's place among four even ranges. */
function shardOf(partitionKey: string): number {
  const hash = BigInt(`0x${createHash('md5').update(partitionKey).digest('hex')}`);
  return Number((hash * BigInt(SHARDS)) / 2n ** 128n);
}

function tick(symbol: string, time: number, n: number): StockEvent {
  const price = Number((100 + SYMBOLS.indexOf(symbol) * 10 + Math.sin(n / 50) * 3).toFixed(2));
  return {
    event_id: `${symbol}-${time}`,
    symbol,
    timestamp: new Date(time).toISOString(),
    price,
    open: null,
    high: null,
    low: null,
    previous_close: 100 + SYMBOLS.indexOf(symbol) * 10,
    change: Number((price - 100 - SYMBOLS.indexOf(symbol) * 10).toFixed(2)),
    change_percent: Number((((price - 100 - SYMBOLS.indexOf(symbol) * 10) / 100) * 100).toFixed(2)),
    volume: 1000 + (n % 500),
    currency: 'USD',
    market_state: 'REGULAR',
    source: 'synthetic',
  };
}

function record(event: StockEvent, shard: number, sequence: number, arrival: number): KinesisStreamRecord {
  const seq = `4965${String(sequence).padStart(52, '0')}`;
  const shardId = `shardId-${String(shard).padStart(12, '0')}`;
  return {
    awsRegion: 'us-east-1',
    eventID: `${shardId}:${seq}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/stockpipe-stream',
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/stockpipe-ingest-role',
    kinesis: {
      approximateArrivalTimestamp: arrival / 1000,
      data: Buffer.from(JSON.stringify(event)).toString('base64'),
      kinesisSchemaVersion: '1.0',
      partitionKey: event.symbol,
      sequenceNumber: seq,
    },
  };
}

function lakeFiles(dir: string, prefix: string): { files: string[]; bytes: number } {
  const files: string[] = [];
  let bytes = 0;
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('._S3rver_object')) {
        files.push(path);
        bytes += statSync(path).size;
      }
    }
  };
  try {
    walk(join(dir, prefix));
  } catch {
    // no such folder
  }
  return { files, bytes };
}

async function main(): Promise<void> {
  const emulators = await startEmulators({ s3: true });
  const clients = emulators.clients();
  try {
    const s3 = await clients.get('s3');
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
    await s3.send(new CreateBucketCommand({ Bucket: buckets.raw }));
    const documents = { send: async () => ({}) } as unknown as DynamoDBDocumentClient;
    const silent = { info() {}, warn() {}, error() {} };
    const sequences = new Array<number>(SHARDS).fill(0);
    const start = Date.parse(`${DAY}T00:00:00.000Z`);
    let rows = 0;
    let invocations = 0;
    const began = performance.now();
    for (let time = start, n = 0; time < start + HOURS * 3_600_000; time += POLL_MS, n++) {
      const byShard = new Map<number, KinesisStreamRecord[]>();
      for (const symbol of SYMBOLS) {
        const shard = shardOf(symbol);
        const records = byShard.get(shard) ?? [];
        records.push(record(tick(symbol, time, n), shard, ++(sequences[shard] as number), time));
        byShard.set(shard, records);
      }
      // One invocation per shard that got records (the mapping's 1 s window closes each batch).
      await Promise.all(
        [...byShard.values()].map(async (records) => {
          const { counts } = await ingestBatch(records, {
            config: { quotesTable: 'stockpipe-quotes', rawBucket: buckets.raw, anomalyThresholdPct: 5, ttlDays: 30 },
            documents,
            s3,
            log: silent,
            now: () => new Date(time + 1000),
          });
          if (counts.stored !== records.length) throw new Error(`stored ${counts.stored} of ${records.length}`);
          rows += records.length;
          invocations++;
        }),
      );
    }
    const bucketDir = join(emulators.s3Directory, buckets.raw);
    const raw = lakeFiles(bucketDir, 'raw');
    report(BENCH, 'simulated_hours', HOURS, 'h');
    report(BENCH, 'rows', rows, 'rows');
    report(BENCH, 'ingest_invocations', invocations, 'invocations');
    report(BENCH, 'simulation_s', (performance.now() - began) / 1000, 's');
    report(BENCH, 'raw_objects_per_day', (raw.files.length * 24) / HOURS, 'objects');
    report(BENCH, 'raw_objects_per_1000_rows', (raw.files.length / rows) * 1000, 'objects');
    report(BENCH, 'raw_bytes', raw.bytes, 'bytes');

    // Two days later the day is closed.
    const now = new Date(start + 2 * 86_400_000 + 12 * 3_600_000);
    const runner = new DuckDbQueryRunner({
      s3Directory: emulators.s3Directory,
      bucket: buckets.raw,
      now: () => now.getTime(),
    });
    const range = { from: DAY, to: DAY };
    const answers = async () =>
      JSON.stringify(
        await Promise.all(
          NAMED_QUERY_NAMES.map(async (name) =>
            rowsAsObjects(
              await runner.run(buildNamedQuery(name, { range, symbol: 'AAPL', limit: 1000, threshold: 2 })),
            ),
          ),
        ),
      );
    const countStarted = performance.now();
    const before = await answers();
    report(BENCH, 'named_queries_before_s', (performance.now() - countStarted) / 1000, 's');
    const writer = {
      put: async (key: string, body: Uint8Array) =>
        void (await s3.send(new PutObjectCommand({ Bucket: buckets.raw, Key: key, Body: body }))),
      delete: async (keys: readonly string[]) => {
        const { DeleteObjectsCommand } = await import('@aws-sdk/client-s3');
        for (let i = 0; i < keys.length; i += 1000) {
          const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
          await s3.send(new DeleteObjectsCommand({ Bucket: buckets.raw, Delete: { Objects, Quiet: true } }));
        }
      },
    };
    const compactStarted = performance.now();
    const summary = await compactLake(parseCompactOptions({}, now), {
      io: createCaptureIO().io,
      lake: localCompactionLake({ bucketDir, writer, now: () => now }),
      signal: new AbortController().signal,
    });
    report(BENCH, 'compact_s', (performance.now() - compactStarted) / 1000, 's');
    const afterStarted = performance.now();
    const after = await answers();
    report(BENCH, 'named_queries_after_s', (performance.now() - afterStarted) / 1000, 's');
    if (after !== before) throw new Error('the named queries return other rows after compaction');
    const compacted = lakeFiles(bucketDir, 'compacted');
    const left = lakeFiles(bucketDir, 'raw').files.length;
    // One object per closed day, however many hours it holds.
    report(BENCH, 'compacted_objects_for_the_day', compacted.files.length + left, 'objects');
    report(BENCH, 'compacted_objects_per_1000_rows', ((compacted.files.length + left) / rows) * 1000, 'objects');
    report(BENCH, 'compacted_bytes', compacted.bytes, 'bytes');
    report(BENCH, 'athena_cost_of_compact', summary.cost_usd * 1e6, 'µUSD');
    for (const [name, bytes] of Object.entries(await parquetBytesPerQuery(compacted.files))) {
      report(BENCH, `${name}_bytes_scanned_before`, raw.bytes, 'bytes');
      report(BENCH, `${name}_bytes_scanned_after`, bytes, 'bytes');
    }
  } finally {
    await clients.destroy();
    await emulators.stop();
    rmSync(emulators.s3Directory, { recursive: true, force: true });
  }
}

await main();
