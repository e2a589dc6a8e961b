/**
 * Two `redrive` runs at once on the local target send every record once (issue 24: the quarantine
 * held each of 38 payloads twice, and the second run failed with "The specified key does not
 * exist."). The records are still invalid, so ingest quarantines each again: once, not twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { bucketNames } from '../../../src/core/names.ts';
import { localAwsClients } from '../../../src/local/clients.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../../src/local/constants.ts';
import { readStackState } from '../../../src/local/state.ts';
import { runCli } from '../../helpers/cli.ts';
import { localObjects, stampObjectsNow } from '../local/fixtures.ts';
import { freshWorkdir, pipelineCounters, runBin, waitUntil } from './harness.ts';

const BUCKET = bucketNames('stockpipe', LOCAL_ACCOUNT, LOCAL_REGION).raw;
const OBJECTS = 24;

describe('two redrives at once send every record once', () => {
  const { cwd, dispose } = freshWorkdir('redrive-once');
  let clients: ReturnType<typeof localAwsClients>;

  before(async () => {
    const setup = await runCli(['setup', '--target', 'local'], { cwd });
    assert.equal(setup.code, 0, setup.stderr);
    const state = readStackState(cwd);
    assert.ok(state);
    clients = localAwsClients(state.endpoints);
  });
  after(async () => {
    await clients?.destroy();
    await dispose();
  });

  it('the runs split the objects between them; ingest quarantines each payload once', async () => {
    const s3 = await clients.get('s3');
    // Quarantined payloads that are still invalid (no price): redriven, they come back once each.
    for (let i = 0; i < OBJECTS; i++) {
      const sequence = String(49600000000000000000000000000000000000000000000000000000n + BigInt(i));
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `quarantine/dt=2016-01-05/shardId-000000000000-${sequence}.json`,
          Body: JSON.stringify({
            reason: 'missing_field',
            detail: "missing field 'price'",
            sequence_number: sequence,
            partition_key: 'NVDA',
            payload_encoding: 'utf8',
            payload: JSON.stringify({ symbol: 'NVDA', timestamp: '2016-01-05T20:00:00Z', n: i }),
          }),
        }),
      );
    }
    stampObjectsNow(cwd, BUCKET, 'quarantine/');
    const before = (await pipelineCounters(cwd)).ingest?.recordsSucceeded ?? 0;

    const args = ['redrive', '--from', 'quarantine', '--target', 'local', '--json', '--verbose'];
    const runs = await Promise.all([runBin(args, cwd), runBin(args, cwd)]);
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const reports = runs.map((run) => JSON.parse(run.stdout) as { records: number; skipped: unknown[] });
    assert.equal(
      reports.reduce((sum, report) => sum + report.records, 0),
      OBJECTS,
      `records sent twice: ${reports.map((report) => report.records).join(' + ')} for ${OBJECTS}`,
    );

    await waitUntil(async () => {
      const done = (await pipelineCounters(cwd)).ingest?.recordsSucceeded ?? 0;
      return done >= before + OBJECTS || `ingest at ${done - before}/${OBJECTS}`;
    }, 'ingest to take the redriven records');
    const payloads = [...localObjects(cwd, BUCKET, 'quarantine/').values()].map(
      (body) => (JSON.parse(body) as { payload: string }).payload,
    );
    assert.equal(payloads.length, OBJECTS);
    assert.equal(new Set(payloads).size, OBJECTS, 'each payload quarantined once');
    assert.equal(localObjects(cwd, BUCKET, 'redriven/quarantine/').size, OBJECTS);
    assert.equal(localObjects(cwd, BUCKET, 'redriving/').size, 0, 'no claim left behind');
  });
});
