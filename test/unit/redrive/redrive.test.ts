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
import type { Claim } from '../../../src/pipeline/kept-records.ts';
import { createCaptureIO } from '../../../src/ui/io.ts';
import { runCli } from '../../helpers/cli.ts';

const NOW = Date.parse('2026-11-22T15:00:00.000Z');

/**
 * A fake bucket: key → document; redrive moves keys under redriven/. Claims are created only when
 * absent, as S3's conditional write does; `claims` can be shared by two runs at once.
 */
function fakeDeps(
  objects: Map<string, unknown>,
  options: { failPut?: boolean; json?: boolean; claims?: Map<string, Claim>; put?: StreamRecord[][] } = {},
) {
  const put: StreamRecord[][] = options.put ?? [];
  const claims = options.claims ?? new Map<string, Claim>();
  const capture = createCaptureIO({ json: options.json === true });
  const deps: RedriveDeps = {
    io: capture.io,
    now: () => NOW,
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
      claim: async (key) => {
        const held = claims.get(key);
        if (held) return { kind: 'held', claim: held };
        claims.set(key, { state: 'claimed', at: NOW, pid: 1 });
        return { kind: 'ours' };
      },
      markSent: async (key) => void claims.set(key, { state: 'sent', at: NOW, pid: 1 }),
      finish: async (key) => {
        if (objects.has(key)) objects.set(redrivenKey(key), objects.get(key));
        objects.delete(key);
        claims.delete(key);
      },
      release: async (key) => void claims.delete(key),
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
  it('refuses an unknown --from and a bad --since before any call (exit 2; a missing one: test/unit/cli/flag-specs.test.ts)', async () => {
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

  it('two runs at once send every record once: the second skips what the first claimed (issue 24)', async () => {
    const objects = new Map<string, unknown>(
      Array.from({ length: 38 }, (_, i) => [
        `quarantine/dt=2026-11-22/${i}.json`,
        { payload: JSON.stringify({ n: i }), partition_key: 'AAPL' },
      ]),
    );
    const claims = new Map<string, Claim>();
    const put: StreamRecord[][] = [];
    const first = fakeDeps(objects, { claims, put });
    const second = fakeDeps(objects, { claims, put });
    const plan = planRedrive({ from: 'quarantine' }, NOW);
    const codes = await Promise.all([runRedrive(plan, first.deps), runRedrive(plan, second.deps)]);
    assert.deepEqual(codes, [0, 0]);
    const sent = put.flat().map((record) => Buffer.from(record.data).toString('utf8'));
    assert.equal(sent.length, 38);
    assert.equal(new Set(sent).size, 38, 'no record sent twice');
    assert.equal([...objects.keys()].filter((key) => key.startsWith('redriven/')).length, 38);
    assert.equal(claims.size, 0, 'every claim dropped');
    assert.match(
      first.capture.stderr() + second.capture.stderr(),
      /skipped \d+ objects: being redriven by another run/,
    );
  });

  it('a run stopped after sending is finished by the next without sending again; one stopped before is left, said so', async () => {
    const objects = new Map<string, unknown>([
      ['quarantine/dt=2026-11-22/sent.json', { payload: '{"n":1}' }],
      ['quarantine/dt=2026-11-22/unsure.json', { payload: '{"n":2}' }],
      ['quarantine/dt=2026-11-22/fresh.json', { payload: '{"n":3}' }],
    ]);
    const claims = new Map<string, Claim>([
      ['quarantine/dt=2026-11-22/sent.json', { state: 'sent', at: NOW - 3_600_000, pid: 7 }],
      ['quarantine/dt=2026-11-22/unsure.json', { state: 'claimed', at: NOW - 3_600_000, pid: 7 }],
    ]);
    const { deps, put, capture } = fakeDeps(objects, { claims });
    assert.equal(await runRedrive(planRedrive({ from: 'quarantine' }, NOW), deps), 0);
    assert.deepEqual(
      put.flat().map((record) => Buffer.from(record.data).toString('utf8')),
      ['{"n":3}'],
      'only the unclaimed object is sent',
    );
    assert.ok(objects.has('redriven/quarantine/dt=2026-11-22/sent.json'), 'the sent one is moved aside');
    assert.ok(objects.has('quarantine/dt=2026-11-22/unsure.json'), 'the unsure one stays');
    assert.match(capture.stderr(), /moved 1 object an earlier redrive had sent but not moved \(not sent again\)/);
    assert.match(
      capture.stderr(),
      /skipped quarantine\/dt=2026-11-22\/unsure\.json: claimed at .* by a redrive that stopped before it finished sending; .*delete redriving\/quarantine\/dt=2026-11-22\/unsure\.json to redrive it anyway/,
    );
  });

  it('a failed put drops its claims, so the objects are redriven again later', async () => {
    const objects = new Map<string, unknown>([['quarantine/dt=2026-11-22/a.json', { payload: '{}' }]]);
    const claims = new Map<string, Claim>();
    const { deps } = fakeDeps(objects, { claims, failPut: true });
    await assert.rejects(runRedrive(planRedrive({ from: 'quarantine' }, NOW), deps), /Kinesis refused/);
    assert.equal(claims.size, 0);
    assert.ok(objects.has('quarantine/dt=2026-11-22/a.json'));
  });
});
