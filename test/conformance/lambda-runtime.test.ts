/**
 * The built zips on AWS's own Lambda runtime: the Runtime Interface Emulator running the Node.js
 * runtime interface client (test/helpers/lambda-runtime.ts), with the Handler, memory, timeout and
 * environment setup gave each function in moto, Lambda's node flags, and the AWS calls going to
 * moto. Kinesis and DynamoDB-stream events shaped as AWS sends them; the effects are checked in
 * moto (quotes stored, lake and quarantine objects written, alerts recorded and published).
 *
 * Twice: with the @aws-sdk/client-* versions package-lock.json pins standing in for the runtime's
 * own SDK, and with a set over six months older. The zips carry their SDK, so both pass; a zip
 * that leaves the clients to the runtime (the old packaging) is the control: it fails to load on
 * the older SDK, which proves the stand-in is on the module path the code would search.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { DeleteBucketPolicyCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from '../../src/aws/clients.ts';
import { bucketNames, pipelineNames } from '../../src/core/names.ts';
import { LambdaHost } from '../../src/local/runner/lambda-host.ts';
import { packageLambda } from '../../src/packaging/build-lambdas.ts';
import { deterministicZip } from '../../src/packaging/deterministic-zip.ts';
import { LAMBDA_DEFINITIONS } from '../../src/packaging/lambda-definition.ts';
import { type LambdaFunction, readLambdaZip } from '../../src/packaging/lambda-zip.ts';
import { unpackLambda } from '../../src/packaging/load-lambda.ts';
import { bundleStrategyFile, trendsZipWithStrategy } from '../../src/packaging/strategy-bundle.ts';
import { crossingSeries, kinesisEvent, quoteOf, series, streamInsert } from '../helpers/lambda-events.ts';
import {
  type LambdaRuntimePaths,
  lambdaRuntimePaths,
  lambdaRuntimeSkipReason,
  type RunningRuntime,
  startLambdaRuntime,
} from '../helpers/lambda-runtime.ts';
import { MOTO_ACCOUNT, MOTO_REGION, type Moto, motoSkipReason, startMoto } from '../helpers/moto.ts';
import { type RecordingProxy, startRecordingProxy } from '../helpers/recording-proxy.ts';
import { setupInMoto } from './pipeline-fixtures.ts';

type BatchResult = { batchItemFailures: { itemIdentifier: string }[] };

const skip = lambdaRuntimeSkipReason() || motoSkipReason();

describe("the zips on AWS's Lambda runtime (emulator + runtime interface client) against moto", { skip }, () => {
  const name = 'lr';
  const names = pipelineNames(name);
  const rawBucket = bucketNames(name, MOTO_ACCOUNT, MOTO_REGION).raw;
  let paths: LambdaRuntimePaths;
  let moto: Moto;
  let clients: AwsClients;
  let proxy: RecordingProxy;
  const running: RunningRuntime[] = [];
  /** Init durations measured by the emulator, per zip and runtime SDK. */
  const initTimes: string[] = [];

  before(async () => {
    const found = lambdaRuntimePaths();
    if (!found) throw new Error(`${lambdaRuntimeSkipReason() || 'the Lambda runtime is not installed'} (CI=true)`);
    paths = found;
    moto = await startMoto();
    clients = moto.clients();
    await setupInMoto(clients, name, 'lr');
    // The raw bucket's TLS-only policy denies moto's plain HTTP; it is about transport, not code.
    await (await clients.get('s3')).send(new DeleteBucketPolicyCommand({ Bucket: rawBucket }));
    // The functions' calls go through a proxy that records them (the SNS publishes among them).
    proxy = await startRecordingProxy(moto.endpoint, MOTO_ACCOUNT);
  });

  after(async () => {
    await Promise.all(running.map((runtime) => runtime.stop()));
    await proxy?.close();
    await clients?.destroy();
    await moto?.stop();
    // The figures docs/development.md quotes: printed, never asserted (timings are not tests).
    if (initTimes.length > 0) console.log(`# init on the emulator: ${initTimes.join('; ')}`);
  });

  /** The function as setup deployed it in moto, on the emulator, with `sdk` as the runtime's SDK. */
  async function runtimeFor(
    fn: LambdaFunction,
    sdk: string,
    zip?: Uint8Array,
    environment: Record<string, string> = {},
  ): Promise<RunningRuntime> {
    const functionName = fn === 'ingest' ? names.ingestFunction : names.trendsFunction;
    const config = await (await clients.get('lambda')).send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName }),
    );
    const definition = LAMBDA_DEFINITIONS[fn];
    // What setup sent is what runs: the Handler, memory and timeout as moto stored them.
    assert.equal(config.Handler, definition.handler);
    assert.equal(config.MemorySize, definition.memoryMb);
    assert.equal(config.Timeout, definition.timeoutSeconds);
    const runtime = await startLambdaRuntime({
      paths,
      zip: zip ?? (await readLambdaZip(fn)).bytes,
      definition,
      functionName,
      region: MOTO_REGION,
      environment: {
        ...config.Environment?.Variables,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_SESSION_TOKEN: 'testing',
        AWS_ENDPOINT_URL: proxy.url,
        ...environment,
      },
      runtimeSdk: sdk,
    });
    running.push(runtime);
    return runtime;
  }

  async function quotesOf(symbol: string): Promise<Record<string, unknown>[]> {
    const scan = await (await clients.documentClient()).send(new ScanCommand({ TableName: names.quotesTable }));
    return (scan.Items ?? [])
      .filter((item) => item.symbol === symbol)
      .sort((a, b) => (String(a.timestamp) < String(b.timestamp) ? -1 : 1));
  }

  async function keysUnder(prefix: string): Promise<string[]> {
    const listed = await (await clients.get('s3')).send(
      new ListObjectsV2Command({ Bucket: rawBucket, Prefix: prefix }),
    );
    return (listed.Contents ?? []).map((object) => object.Key ?? '');
  }

  const variants = [
    ['the locked SDK', 'sdkLocked', 'LRA', 0],
    ['an SDK over six months older', 'sdkOld', 'LRB', 1000],
  ] as const;

  // Each variant its own symbol and sequence numbers (quarantine keys derive from them).
  for (const [label, sdkField, symbol, firstSequence] of variants) {
    describe(`with ${label} as the runtime's own`, () => {
      it('ingest stores a Kinesis batch, writes the lake and quarantines a bad record', async () => {
        const runtime = await runtimeFor('ingest', paths[sdkField]);
        const events = crossingSeries(symbol, Date.now());
        const payloads: unknown[] = [...events];
        payloads.splice(5, 0, 'not json at all');
        const quarantinedBefore = (await keysUnder('quarantine/')).length;
        const result = await runtime.invoke(kinesisEvent(payloads, firstSequence));
        assert.equal(result.status, 200, runtime.output());
        assert.deepEqual(result.body as BatchResult, { batchItemFailures: [] }, runtime.output());
        assert.equal((await quotesOf(symbol)).length, events.length);
        const lake = await keysUnder('raw/');
        assert.ok(lake.length > 0, 'lake objects under raw/');
        assert.equal((await keysUnder('quarantine/')).length, quarantinedBefore + 1, 'the bad record is quarantined');
        initTimes.push(
          `ingest (${label}) ${runtime.initDurationMs()} ms (REPORT: ${runtime.reportInitDurationMs()} ms)`,
        );
        // Powertools saw a cold start and the memory setup deploys.
        const logged = runtime
          .output()
          .split('\n')
          .filter((line) => line.includes('"service":"stockpipe-ingest"'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        assert.equal(logged[0]?.cold_start, true, runtime.output());
        assert.equal(logged[0]?.function_memory_size, '512');
      });

      it('trends records and publishes the crossings of a DynamoDB stream batch', async () => {
        const runtime = await runtimeFor('trends', paths[sdkField]);
        proxy.current = symbol;
        const items = await quotesOf(symbol);
        assert.equal(items.length, 120, 'ingest stored the series first');
        for (let i = 0; i < items.length; i += 40) {
          const records = items.slice(i, i + 40).map((item, n) => streamInsert(item, i + n));
          const result = await runtime.invoke({ Records: records });
          assert.equal(result.status, 200, runtime.output());
          assert.deepEqual(result.body as BatchResult, { batchItemFailures: [] }, runtime.output());
        }
        const scan = await (await clients.documentClient()).send(new ScanCommand({ TableName: names.alertsTable }));
        const recorded = (scan.Items ?? []).filter((item) => item.symbol === symbol);
        // The second BUY falls within the 15-minute cooldown of the first.
        assert.deepEqual(recorded.map((item) => item.signal).sort(), ['BUY', 'SELL']);
        const published = proxy.calls.filter((call) => call.caller === symbol && call.action === 'sns:Publish');
        assert.equal(published.length, 2, 'one SNS message per alert');
        assert.ok(published.every((call) => call.resources[0]?.endsWith(`:${names.alertsTopic}`)));
        proxy.current = undefined;
        initTimes.push(
          `trends (${label}) ${runtime.initDurationMs()} ms (REPORT: ${runtime.reportInitDurationMs()} ms)`,
        );
      });
    });
  }

  it("trends runs a file's strategy from its zip: strategy.mjs beside index.mjs, as setup packs it", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stockpipe-lr-strategy-'));
    const file = join(folder, 'jump.mjs');
    writeFileSync(
      file,
      `export default {
  name: 'jump',
  history: 1,
  evaluate(points, i) {
    const ratio = points[i].price / points[i - 1].price;
    return ratio > 1.05 ? { signal: 'BUY', indicators: { ratio } } : undefined;
  },
};
`,
    );
    const zip = await trendsZipWithStrategy((await readLambdaZip('trends')).bytes, await bundleStrategyFile(file));
    const runtime = await runtimeFor('trends', paths.sdkLocked, zip.bytes, { STRATEGY: 'jump' });
    // Stored as ingest stores them, then delivered as the table's stream delivers them.
    const items = series('LRS', [100, 100, 100, 120, 121, 122]).map((event) => quoteOf(event));
    const documents = await clients.documentClient();
    for (const item of items) await documents.send(new PutCommand({ TableName: names.quotesTable, Item: item }));
    const result = await runtime.invoke({ Records: items.map((item, n) => streamInsert(item, n)) });
    assert.equal(result.status, 200, runtime.output());
    assert.deepEqual(result.body as BatchResult, { batchItemFailures: [] }, runtime.output());
    const scan = await documents.send(new ScanCommand({ TableName: names.alertsTable }));
    const recorded = (scan.Items ?? []).filter((item) => item.symbol === 'LRS');
    assert.deepEqual(
      recorded.map((item) => [item.signal, item.strategy, item.price, item.indicators]),
      [['BUY', 'jump', 120, { ratio: 1.2 }]],
    );
  });

  it('control: a zip leaving the clients to the runtime loads with the locked SDK and not with the older one', async () => {
    const { zip } = await packageLambda('trends', { external: ['@aws-sdk/client-*'] });
    const locked = await runtimeFor('trends', paths.sdkLocked, zip);
    const loads = await locked.invoke({ Records: [] });
    assert.deepEqual(loads.body, { batchItemFailures: [] }, locked.output());
    const old = await runtimeFor('trends', paths.sdkOld, zip);
    const fails = await old.invoke({ Records: [] });
    const error = fails.body as { errorType?: string; errorMessage?: string };
    assert.equal(error.errorType, 'Runtime.UserCodeSyntaxError', old.output());
    // Node words it "does not provide an export named" (ESM) or "Named export … not found" (CJS).
    assert.match(error.errorMessage ?? '', /(export named|Named export) 'SearchVectorsCommand'/);
  });

  describe('code that cannot load fails with the same error type on the runtime and offline', () => {
    const cases = [
      ['a Handler naming a missing export', { 'index.mjs': 'export const other = async () => 1;\n' }, 'index.handler'],
      ['a Handler naming a missing file', { 'index.mjs': 'export const handler = async () => 1;\n' }, 'main.handler'],
      ['a Handler without a dot', { 'index.mjs': 'export const handler = async () => 1;\n' }, 'index'],
      [
        'an import the zip does not carry',
        {
          'index.mjs':
            "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const handler = async () => String(DynamoDBClient);\n",
        },
        'index.handler',
      ],
      ['code that does not parse', { 'index.mjs': 'export const handler = async () => {\n' }, 'index.handler'],
    ] as const;

    for (const [what, files, handler] of cases) {
      it(what, async () => {
        const zip = await deterministicZip(Object.entries(files).map(([file, content]) => ({ name: file, content })));
        const definition = { ...LAMBDA_DEFINITIONS.trends, handler };
        // The runtime, with an empty runtime SDK folder: nothing to find there.
        const runtime = await startLambdaRuntime({
          paths,
          zip,
          definition,
          functionName: 'lr-broken',
          region: MOTO_REGION,
          environment: { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
          runtimeSdk: mkdtempSync(join(tmpdir(), 'stockpipe-empty-sdk-')),
        });
        running.push(runtime);
        const onRuntime = (await runtime.invoke({})).body as { errorType?: string; errorMessage?: string };
        // Offline: the local runner's sandbox, loading the same zip with the same Handler.
        const taskRoot = await unpackLambda(zip, mkdtempSync(join(tmpdir(), 'stockpipe-broken-')));
        const loader = join(taskRoot, '..', 'loader.mjs');
        writeFileSync(loader, `export async function lambdaTaskRoot() { return ${JSON.stringify(taskRoot)}; }\n`);
        const host = new LambdaHost({
          functionName: 'lr-broken',
          kind: 'trends',
          definition,
          loaderModule: loader,
          env: {},
          logFile: join(taskRoot, '..', 'broken.log'),
        });
        try {
          const outcome = await host.invoke({});
          const offline = outcome.ok ? { errorType: '', errorMessage: '' } : outcome.error;
          if (what === 'an import the zip does not carry') {
            // Lambda reports it as Runtime.ImportModuleError ("Error: Cannot find package …", AWS's
            // knowledge centre); aws-lambda-ric 4.0.2 does not wrap an ES module's
            // ERR_MODULE_NOT_FOUND and reports a plain Error. Both fail at init, naming the package.
            assert.match(onRuntime.errorType ?? '', /^(Runtime\.ImportModuleError|Error)$/, runtime.output());
            assert.match(onRuntime.errorMessage ?? '', /Cannot find package '@aws-sdk\/client-dynamodb'/);
            assert.equal(offline.errorType, 'Runtime.ImportModuleError');
            assert.match(offline.errorMessage, /Cannot find package '@aws-sdk\/client-dynamodb'/);
          } else {
            assert.match(onRuntime.errorType ?? '', /^Runtime\./, runtime.output());
            assert.equal(offline.errorType, onRuntime.errorType);
          }
        } finally {
          await host.close();
        }
      });
    }
  });
});
