import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { localPaths } from '../../../src/local/paths.ts';
import { localPipelineDefinition, removeLocalPipeline, writeLocalPipeline } from '../../../src/local/pipelines.ts';
import { localStackStatus, stopLocalStack, waitForLocalPipeline } from '../../../src/local/stack.ts';
import { runCli } from '../../helpers/cli.ts';
import { removeStackFolder } from '../../helpers/stack-folder.ts';
import { waitFor } from '../../helpers/wait.ts';
import {
  createFixturePipeline,
  FIXTURE_RAW_BUCKET,
  lines,
  localObjects,
  putQuotes,
  type Quote,
  writeFixtureLoader,
} from './fixtures.ts';

const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-daemon-'));
after(() => removeStackFolder(cwd));

describe('the daemon serves registered pipelines: Kinesis → ingest → DynamoDB INSERTs → trends → alerts', () => {
  const paths = localPaths(cwd);
  const seenFile = join(cwd, 'seen.ndjson');
  const loader = writeFixtureLoader(cwd);

  const put = (quotes: Quote[]) => putQuotes(cwd, quotes);

  it('processes records end to end, writes logs, alerts and on-failure records', async () => {
    await createFixturePipeline(cwd, { shards: 2, seenFile, loader });
    const ready = await waitForLocalPipeline(cwd, 'p');
    assert.deepEqual(
      ready.functions.map((fn) => [fn.function, fn.waitingFor]),
      [
        ['p-ingest', null],
        ['p-trends', null],
      ],
    );
    const quotes = Array.from({ length: 20 }, (_, i) => ({
      symbol: i % 2 ? 'AAPL' : 'MSFT',
      timestamp: `2026-11-22T14:30:${String(i).padStart(2, '0')}.000Z`,
      price: 100 + i,
    }));
    await put([...quotes.slice(0, 10), { symbol: 'POISON', timestamp: 'x', price: 1 }, ...quotes.slice(10)]);

    await waitFor(() => lines(paths.alertsLog).length >= 20, '20 alerts');
    const failed = () => localObjects(cwd, FIXTURE_RAW_BUCKET, 'aws/lambda/');
    await waitFor(() => failed().size === 1, 'the on-failure record in the raw bucket');
    const alerts = lines(paths.alertsLog).map((line) => JSON.parse(line));
    assert.equal(alerts.length, 20);
    assert.deepEqual(
      new Set(alerts.map((alert) => `${alert.symbol}@${alert.alert_key}`)),
      new Set(quotes.map((q) => `${q.symbol}@${q.timestamp}#BUY`)),
    );
    assert.ok(
      alerts.every((alert) => alert.pipeline === 'p' && alert.signal === 'BUY' && typeof alert.price === 'number'),
    );
    // Lambda's S3 destination layout: aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<UUID>.
    const [[key, body]] = [...failed()] as [[string, string]];
    assert.match(
      key,
      /^aws\/lambda\/[0-9a-f-]{36}\/shardId-\d{12}\/\d{4}\/\d{2}\/\d{2}\/\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}-[0-9a-f-]{36}$/,
    );
    const failure = JSON.parse(body);
    assert.equal(failure.KinesisBatchInfo.batchSize, 1);
    assert.equal(failure.responseContext.functionError, 'Unhandled');
    // The whole record is kept, not only its position.
    const [record] = failure.payload.Records;
    assert.deepEqual(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')), {
      symbol: 'POISON',
      timestamp: 'x',
      price: 1,
    });
    assert.equal(existsSync(join(paths.failuresDir, 'p-ingest.ndjson')), false, 'the file is only a fallback');

    const ingestLog = lines(join(paths.logsDir, 'p-ingest.log')).map((line) => JSON.parse(line));
    assert.ok(ingestLog.some((line) => line.message === 'ingest batch'));
    // The JSON log format's error line: the error itself as the message.
    assert.ok(ingestLog.some((line) => line.level === 'ERROR' && line.message?.errorMessage === 'poison record'));
    const trendsLog = lines(join(paths.logsDir, 'p-trends.log')).map((line) => JSON.parse(line));
    assert.ok(trendsLog.some((line) => typeof line.message === 'string' && line.message.startsWith('trends saw')));
    assert.ok(trendsLog.every((line) => !String(line.message).includes('MODIFY')));

    const cli = await runCli(['local', 'status', '--json'], { cwd });
    assert.equal(cli.code, 0, cli.stderr);
    const status = JSON.parse(cli.stdout);
    assert.equal(status.running, true);
    const [ingest, trends] = status.daemon.pipelines[0].functions;
    assert.equal(ingest.function, 'p-ingest');
    assert.equal(ingest.recordsSucceeded, 20);
    assert.equal(ingest.recordsToFailure, 1);
    assert.equal(ingest.shards, 2);
    assert.equal(trends.recordsSucceeded, 20);
    const human = await runCli(['local', 'status'], { cwd });
    assert.match(human.stdout, /p-ingest\s+20\/21 records/);
  });

  it('a restart resumes from the checkpoints: nothing is processed twice', async () => {
    const stop = await runCli(['local', 'stop'], { cwd });
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /local stack stopped/);
    const start = await runCli(['local', 'start', '--json'], { cwd });
    assert.equal(start.code, 0, start.stderr);
    assert.equal(JSON.parse(start.stdout).started, true);
    const more = Array.from({ length: 5 }, (_, i) => ({
      symbol: 'IBM',
      timestamp: `2026-11-22T15:00:0${i}.000Z`,
      price: 50 + i,
    }));
    await put(more);
    await waitFor(() => lines(paths.alertsLog).length >= 25, '25 alerts');
    await sleep(500);
    const seen = lines(seenFile);
    assert.equal(seen.length, 25, 'each good record ingested exactly once across the restart');
    assert.equal(new Set(seen).size, 25);
    assert.equal(lines(paths.alertsLog).length, 25);
  });

  it('waitForLocalPipeline names the reason a pipeline is not served', async () => {
    writeLocalPipeline(cwd, { ...localPipelineDefinition('q'), handlerLoader: join(cwd, 'missing-loader.mjs') });
    await assert.rejects(waitForLocalPipeline(cwd, 'q', { timeoutMs: 3000 }), /q-ingest: handler did not load/);
    removeLocalPipeline(cwd, 'q');
  });

  it('removing a pipeline stops its runner and forgets its positions', async () => {
    assert.equal(removeLocalPipeline(cwd, 'p'), true);
    await waitFor(() => !existsSync(join(paths.checkpointsDir, 'p-ingest.json')), 'positions forgotten');
    const status = await localStackStatus(cwd);
    assert.deepEqual(status.daemon?.pipelines, []);
    assert.deepEqual(readdirSync(paths.streamsDir), []);
    const stopped = await stopLocalStack(cwd);
    assert.equal(stopped.stopped, true);
  });
});
