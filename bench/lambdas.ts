/**
 * The Lambda packages: size, cold import time, and ingest throughput and request cost against
 * the local emulators at batch size 100 (the tutorial design spends one S3 PUT and one DynamoDB
 * write request per record: 1,000 of each per 1,000 records). Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LAMBDA_ENTRY_FILE, LAMBDA_FUNCTIONS, readLambdaZip } from '../src/packaging/lambda-zip.ts';
import { unpackLambda } from '../src/packaging/load-lambda.ts';
import { MAPPING_BATCH_SIZES } from '../src/pipeline/resources/mapping.ts';
import { kinesisEvent, stockEvent } from '../test/helpers/lambda-events.ts';
import { startLambdaStack } from '../test/integration/lambdas/harness.ts';
import { median, report } from './_report.ts';

const INIT_RUNS = 9;
/** What the deployed ingest mapping hands the function. */
const BATCH_SIZE = MAPPING_BATCH_SIZES.ingest;
const BATCHES = 30;

for (const fn of LAMBDA_FUNCTIONS) {
  const zip = await readLambdaZip(fn);
  report('lambdas', `${fn}_zip_kib`, zip.bytes.byteLength / 1024, 'KiB');
}

for (const fn of LAMBDA_FUNCTIONS) {
  const entry = join(await unpackLambda((await readLambdaZip(fn)).bytes), LAMBDA_ENTRY_FILE);
  // Time the import inside a fresh process, as a cold start does (SDK modules included).
  const script = `const t = performance.now(); await import(${JSON.stringify(entry)}); console.log(performance.now() - t);`;
  const times: number[] = [];
  for (let i = 0; i < INIT_RUNS; i++) {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`importing the ${fn} bundle failed: ${result.stderr}`);
    times.push(Number(result.stdout.trim()));
  }
  report('lambdas', `${fn}_init_ms`, median(times), 'ms');
}

// The ingest function's metrics are a log line per batch on stdout (EMF): off, so stdout is the
// bench's JSON lines only.
const stack = await startLambdaStack({
  QUOTES_TABLE: 'bench-quotes',
  RAW_BUCKET: 'bench-raw',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
try {
  await stack.createQuotesTable('bench-quotes');
  await stack.createBucket('bench-raw');
  const symbols = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'TSLA', 'META', 'GOOG', 'BRK-B', '^GSPC', 'EURUSD=X'];
  const batch = (b: number) =>
    kinesisEvent(
      Array.from({ length: BATCH_SIZE }, (_, i) => {
        const n = b * BATCH_SIZE + i;
        return stockEvent({
          event_id: `bench-${n}`,
          symbol: symbols[n % symbols.length] as string,
          timestamp: new Date(Date.UTC(2026, 10, 22, 14) + n * 1000).toISOString(),
          price: 100 + (n % 13),
        });
      }),
      b * BATCH_SIZE,
    );
  await stack.ingest(batch(BATCHES)); // warm-up: first-call costs out of the measurement
  stack.s3Proxy.calls.clear();
  stack.ddbProxy.calls.clear();
  const started = process.hrtime.bigint();
  for (let b = 0; b < BATCHES; b++) {
    const response = await stack.ingest(batch(b));
    if (response.batchItemFailures.length > 0) throw new Error('ingest reported failures during the benchmark');
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const records = BATCHES * BATCH_SIZE;
  report('lambdas', 'ingest_records_per_s', records / seconds, 'records/s');
  report('lambdas', 's3_puts_per_1k', ((stack.s3Proxy.calls.get('PUT') ?? 0) / records) * 1000, 'requests');
  report(
    'lambdas',
    'ddb_write_requests_per_1k',
    ((stack.ddbProxy.calls.get('BatchWriteItem') ?? 0) / records) * 1000,
    'requests',
  );
} finally {
  await stack.stop();
}
