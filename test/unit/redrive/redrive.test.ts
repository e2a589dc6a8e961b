import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRedrive, type RedriveDeps, runRedrive } from '../../../src/commands/redrive/run.ts';
import {
  recordOfQuarantine,
  recordsOfFailure,
  redrivenKey,
  type StreamRecord,
} from '../../../src/core/failed-records.ts';
import { UsageError } from '../../../src/errors.ts';
import { createCaptureIO } from '../../../src/ui/io.ts';
import { runCli } from '../../helpers/cli.ts';

const NOW = Date.parse('2026-11-22T15:00:00.000Z');

/** A fake bucket: key → document; redrive moves keys under redriven/. */
function fakeDeps(objects: Map<string, unknown>, options: { failPut?: boolean; json?: boolean } = {}) {
  const put: StreamRecord[][] = [];
  const capture = createCaptureIO({ json: options.json === true });
  const deps: RedriveDeps = {
    io: capture.io,
    pipeline: { name: 'stockpipe' },
    stream: 'stockpipe-stream',
    bucket: async () => 'raw-bucket',
    store: async () => ({
      list: async (source) =>
        [...objects.keys()]
          .filter((key) => key.startsWith(source === 'failed' ? 'aws/lambda/' : 'quarantine/'))
          .map((key) => ({ key })),
      read: async (source, key) =>
        source === 'failed' ? recordsOfFailure(objects.get(key)) : recordOfQuarantine(objects.get(key)),
      moveAside: async (key) => {
        objects.set(redrivenKey(key), objects.get(key));
        objects.delete(key);
      },
    }),
    putter: async () => ({
      put: async (records) => {
        if (options.failPut) throw new Error('Kinesis refused 1 records 8 times');
        put.push([...records]);
      },
    }),
  };
  return { deps, put, capture };
}

const kinesisRecord = (payload: unknown, key = 'AAPL') => ({
  kinesis: { data: Buffer.from(JSON.stringify(payload)).toString('base64'), partitionKey: key },
});

function failedBatch(payloads: unknown[]) {
  return {
    requestContext: { condition: 'RetryAttemptsExhausted' },
    KinesisBatchInfo: { shardId: 'shardId-000000000000', batchSize: payloads.length },
    payload: { Records: payloads.map((payload) => kinesisRecord(payload)) },
  };
}

describe('redrive', () => {
  it('refuses a missing or unknown --from and a bad --since before any call (exit 2)', async () => {
    assert.throws(() => planRedrive({}, NOW), UsageError);
    assert.throws(() => planRedrive({ from: 'dlq' }, NOW), /invalid --from 'dlq': use failed or quarantine/);
    assert.throws(() => planRedrive({ from: 'failed', since: 'soon' }, NOW), UsageError);
    assert.deepEqual(planRedrive({ from: 'quarantine', since: '1d' }, NOW), {
      from: 'quarantine',
      since: NOW - 86_400_000,
      dryRun: false,
    });
    const cli = await runCli(['redrive', '--from', 'everything']);
    assert.equal(cli.code, 2);
    assert.equal(cli.stderr, "error: invalid --from 'everything': use failed or quarantine\n");
  });

  it('puts a failed batch’s records back whole, in order, then moves the object aside; a second run finds nothing', async () => {
    const objects = new Map<string, unknown>([
      ['aws/lambda/uuid/shardId-000000000000/2026/11/22/2026-11-22T14.00.00-a', failedBatch([{ n: 1 }, { n: 2 }])],
      ['quarantine/dt=2026-11-22/x.json', { payload: '{}' }],
    ]);
    const { deps, put, capture } = fakeDeps(objects);
    assert.equal(await runRedrive(planRedrive({ from: 'failed' }, NOW), deps), 0);
    assert.deepEqual(
      put.flat().map((record) => JSON.parse(Buffer.from(record.data).toString('utf8'))),
      [{ n: 1 }, { n: 2 }],
    );
    assert.equal(put[0]?.[0]?.partitionKey, 'AAPL');
    assert.deepEqual([...objects.keys()].sort(), [
      'quarantine/dt=2026-11-22/x.json',
      'redriven/aws/lambda/uuid/shardId-000000000000/2026/11/22/2026-11-22T14.00.00-a',
    ]);
    assert.match(
      capture.stdout(),
      /^Redrove 2 records from 1 object under aws\/lambda\/ of raw-bucket to stockpipe-stream/,
    );

    const again = fakeDeps(objects);
    assert.equal(await runRedrive(planRedrive({ from: 'failed' }, NOW), again.deps), 0);
    assert.equal(again.put.length, 0);
    assert.equal(again.capture.stdout(), 'Nothing to redrive under aws/lambda/ of raw-bucket.\n');
  });

  it('redrives quarantined payloads byte for byte (text and base64), with their partition key', async () => {
    const objects = new Map<string, unknown>([
      [
        'quarantine/dt=2026-11-22/a.json',
        { reason: 'missing_field', payload_encoding: 'utf8', payload: '{"symbol":"MSFT"}', partition_key: 'MSFT' },
      ],
      [
        'quarantine/dt=2026-11-22/b.json',
        { reason: 'not_json', payload_encoding: 'base64', payload: Buffer.from([0xff, 0x00]).toString('base64') },
      ],
    ]);
    const { deps, put } = fakeDeps(objects);
    await runRedrive(planRedrive({ from: 'quarantine' }, NOW), deps);
    const records = put.flat();
    assert.equal(Buffer.from(records[0]?.data ?? []).toString('utf8'), '{"symbol":"MSFT"}');
    assert.equal(records[0]?.partitionKey, 'MSFT');
    assert.deepEqual([...(records[1]?.data ?? [])], [0xff, 0x00]);
    assert.equal(records[1]?.partitionKey, 'redrive');
  });

  it('--dry-run counts and changes nothing; what cannot go back is skipped and left in place', async () => {
    const objects = new Map<string, unknown>([
      ['aws/lambda/u/s/2026/11/22/a', failedBatch([{ n: 1 }])],
      ['aws/lambda/u/s/2026/11/22/b', { DDBStreamBatchInfo: {}, payload: { Records: [] } }],
    ]);
    const { deps, put, capture } = fakeDeps(objects, { json: true });
    await runRedrive(planRedrive({ from: 'failed', dryRun: true }, NOW), deps);
    const report = JSON.parse(capture.stdout());
    assert.equal(report.dry_run, true);
    assert.equal(report.records, 1);
    assert.equal(report.skipped.length, 1);
    assert.match(report.skipped[0].reason, /DynamoDB-stream/);
    assert.equal(put.length, 0);
    assert.equal(objects.size, 2, 'nothing moved');
  });

  it('moves nothing when the stream does not take the records', async () => {
    const objects = new Map<string, unknown>([['aws/lambda/u/s/2026/11/22/a', failedBatch([{ n: 1 }])]]);
    const { deps } = fakeDeps(objects, { failPut: true });
    await assert.rejects(runRedrive(planRedrive({ from: 'failed' }, NOW), deps), /refused/);
    assert.deepEqual([...objects.keys()], ['aws/lambda/u/s/2026/11/22/a']);
  });
});
