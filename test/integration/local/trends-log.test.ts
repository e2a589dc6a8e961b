/**
 * The trends function's log as the local target writes it: the built zip in the local Lambda
 * sandbox, with the same environment setup gives it, against dynalite. Powertools reserves the
 * `timestamp` key and drops it with a WARN line; every alert line must keep the observation time
 * under its own name and no WARN may appear.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { pipelineNames } from '../../../src/core/names.ts';
import { onDemandTableKeys } from '../../../src/core/tables.ts';
import { BUNDLED_HANDLER_LOADER } from '../../../src/local/bundled-handlers.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../src/local/constants.ts';
import { LambdaHost } from '../../../src/local/runner/lambda-host.ts';
import { DEFAULT_SPEC, trendsEnvironment } from '../../../src/pipeline/aws-graph.ts';
import { type Emulators, startEmulators } from '../../helpers/emulators.ts';
import { quoteOf, series, streamInsert } from '../../helpers/lambda-events.ts';

/** Crossings at points 30 (BUY), 60 (SELL) and 90 (BUY). */
const PRICES = [
  ...Array<number>(30).fill(100),
  ...Array<number>(30).fill(110),
  ...Array<number>(30).fill(90),
  ...Array<number>(30).fill(105),
];

describe('trends log of a local run with alerts', () => {
  let emulators: Emulators;
  let dir: string;
  let host: LambdaHost;
  const names = pipelineNames('logcheck');

  before(async () => {
    emulators = await startEmulators({ dynamodb: true });
    dir = mkdtempSync(join(tmpdir(), 'stockpipe-trends-log-'));
    const clients = emulators.clients();
    const dynamodb = await clients.get('dynamodb');
    await dynamodb.send(
      new CreateTableCommand({
        TableName: names.quotesTable,
        ...onDemandTableKeys({ partition: 'symbol', sort: 'timestamp' }),
      }),
    );
    await dynamodb.send(
      new CreateTableCommand({
        TableName: names.alertsTable,
        ...onDemandTableKeys({ partition: 'symbol', sort: 'alert_key' }),
      }),
    );
    host = new LambdaHost({
      functionName: names.trendsFunction,
      kind: 'trends',
      loaderModule: BUNDLED_HANDLER_LOADER,
      env: {
        ...trendsEnvironment({ names, spec: DEFAULT_SPEC }, ''),
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: emulators.endpoints.dynamodb,
      },
      logFile: join(dir, `${names.trendsFunction}.log`),
      timeoutMs: 30_000,
    });
    await clients.destroy();
  });
  after(async () => {
    await host?.close();
    await emulators?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has no WARN line and carries the observation time on every alert line', async () => {
    const clients = emulators.clients();
    const documents = await clients.documentClient();
    const items = series('LOGX', PRICES).map((event) => quoteOf(event));
    for (let i = 0; i < items.length; i += 25) {
      await documents.send(
        new BatchWriteCommand({
          RequestItems: { [names.quotesTable]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    }
    await clients.destroy();
    for (let i = 0; i < items.length; i += 20) {
      const batch = items.slice(i, i + 20);
      const outcome = await host.invoke({ Records: batch.map((item, n) => streamInsert(item, i + n)) });
      assert.deepEqual(outcome, { ok: true, response: { batchItemFailures: [] } });
    }

    const file = join(dir, `${names.trendsFunction}.log`);
    const alertLines = await pollLines(file, (lines) => lines.filter((line) => line.message === 'alert').length >= 3);
    const lines = alertLines.all;
    assert.deepEqual(
      lines.filter((line) => line.level === 'WARN'),
      [],
      'no WARN line',
    );
    assert.doesNotMatch(alertLines.text, /reserved key|WARN/, 'nothing dropped, not even on a plain line');
    const alerts = lines.filter((line) => line.message === 'alert');
    assert.deepEqual(
      alerts.map((line) => [line.signal, line.observed_at]),
      [
        ['BUY', '2026-11-22T14:30:00.000Z'],
        ['SELL', '2026-11-22T15:00:00.000Z'],
        ['BUY', '2026-11-22T15:30:00.000Z'],
      ],
    );
  });
});

/** The log file's JSON lines once `ready` holds (the sandbox writes them asynchronously). */
async function pollLines(
  file: string,
  ready: (lines: Record<string, unknown>[]) => boolean,
): Promise<{ all: Record<string, unknown>[]; text: string }> {
  const deadline = Date.now() + 20_000;
  let lines: Record<string, unknown>[] = [];
  while (Date.now() < deadline) {
    try {
      const text = readFileSync(file, 'utf8');
      lines = text
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      if (ready(lines)) return { all: lines, text };
    } catch {
      // not written yet
    }
    await sleep(50);
  }
  throw new Error(`the log ${file} never held the expected lines: ${JSON.stringify(lines).slice(0, 500)}`);
}
