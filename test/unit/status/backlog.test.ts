import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { type FakeStatusOptions, fakeStatus } from './fake-status.ts';

/** Status with these functions' lag, and any other reader or dependency the options replace. */
function status(backlog: { ingestMs: number | null; trendsMs: number | null }, options: FakeStatusOptions = {}) {
  return fakeStatus({ ...options, pipeline: { backlog: async () => backlog, ...options.pipeline } });
}

describe('status shows the backlog', () => {
  it('a function a minute and a half behind its stream: not healthy, catching up, exit 1', async () => {
    const { code, stdout } = await status({ ingestMs: 90_000, trendsMs: 0 });
    assert.equal(code, 1);
    assert.match(stdout, /^Backlog: ingest \S+ behind, trends keeps up — catching up$/m);
    assert.match(stdout, /^Not healthy\. Next: it is catching up, \S+ behind its stream/m);
  });

  it('functions that keep up: healthy', async () => {
    const { code, stdout } = await status({ ingestMs: 300, trendsMs: 0 });
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^Backlog: ingest keeps up, trends keeps up$/m);
    assert.match(stdout, /^Healthy\./m);
  });

  it('what it cannot read shows as unknown, and each source that failed is one line on stderr, in order', async () => {
    const fail = (what: string) => async () => {
      throw new Error(what);
    };
    const { stdout, stderr } = await status(
      { ingestMs: 0, trendsMs: 0 },
      {
        pipeline: { recordsLastHour: fail('no metrics'), ingestedLastHour: fail('no log'), backlog: fail('no daemon') },
        documentClient: fail('no table'),
      },
    );
    assert.match(stdout, /^Records in the last hour: unknown$/m);
    assert.match(stdout, /^Backlog: ingest unknown, trends unknown$/m);
    assert.match(stdout, /^In the last day: unknown failed, unknown quarantined$/m);
    assert.match(stdout, /^Last alert: none$/m);
    assert.deepEqual(
      stderr.split('\n').filter((line) => line.startsWith('could not')),
      [
        "could not read the stream's metrics: no metrics",
        "could not read the ingest function's metrics: no log",
        'could not read the alerts table: no table',
        'could not count failed and quarantined records: no S3 here',
        'could not read how far behind the functions are: no daemon',
      ],
    );
  });
});

describe('status counts add up after a redrive (issue 30)', () => {
  const NOW = new Date(Date.UTC(2026, 11, 6, 14, 0, 0));
  const quarantine = (payload: string) => ({
    Body: { transformToString: async () => JSON.stringify({ reason: 'invalid_json', payload, partition_key: 'AAPL' }) },
  });
  /** Two quarantined records today; one of them was redriven earlier and quarantined again. */
  function lake() {
    const s3 = new S3Client({ region: 'us-east-1' });
    const mock = mockClient(s3);
    const listed = (...keys: string[]) => ({ Contents: keys.map((Key) => ({ Key, LastModified: NOW })) });
    mock.on(ListObjectsV2Command).resolves({ Contents: [] });
    mock
      .on(ListObjectsV2Command, { Prefix: 'quarantine/' })
      .resolves(listed('quarantine/dt=2026-12-06/again.json', 'quarantine/dt=2026-12-06/new.json'));
    mock
      .on(ListObjectsV2Command, { Prefix: 'redriven/quarantine/' })
      .resolves(listed('redriven/quarantine/dt=2026-12-06/first.json'));
    mock.on(GetObjectCommand, { Key: 'quarantine/dt=2026-12-06/again.json' }).resolves(quarantine('{oops') as never);
    mock
      .on(GetObjectCommand, { Key: 'redriven/quarantine/dt=2026-12-06/first.json' })
      .resolves(quarantine('{oops') as never);
    mock.on(GetObjectCommand, { Key: 'quarantine/dt=2026-12-06/new.json' }).resolves(quarantine('{"price":') as never);
    return { s3, mock };
  }

  it('the hour’s records beside where they went, in one line that adds up', async () => {
    const { stdout } = await status(
      { ingestMs: 0, trendsMs: 0 },
      {
        pipeline: {
          recordsLastHour: async () => 410,
          ingestedLastHour: async () => ({ stored: 400, quarantined: 10, superseded: 0 }),
        },
        now: () => NOW,
      },
    );
    assert.match(stdout, /^Records in the last hour: 410 \(400 stored, 10 quarantined, 0 superseded\)$/m);
  });

  it('records quarantined again after a redrive are counted apart, and not suggested for another redrive', async () => {
    const { s3 } = lake();
    const { stdout } = await status(
      { ingestMs: 0, trendsMs: 0 },
      { clients: { get: async () => s3 } as never, now: () => NOW },
    );
    assert.match(
      stdout,
      /^In the last day: 0 failed, 2 quarantined, 1 of them again after a redrive \(see docs\/data-contract\.md\) \(`.*redrive --from quarantine.*` puts them back\)$/m,
    );
  });

  it('when every quarantined record was redriven already, no redrive is suggested', async () => {
    const { s3, mock } = lake();
    mock
      .on(ListObjectsV2Command, { Prefix: 'quarantine/' })
      .resolves({ Contents: [{ Key: 'quarantine/dt=2026-12-06/again.json', LastModified: NOW }] });
    const { stdout } = await status(
      { ingestMs: 0, trendsMs: 0 },
      { clients: { get: async () => s3 } as never, now: () => NOW },
    );
    assert.match(
      stdout,
      /^In the last day: 0 failed, 1 quarantined, 1 of them again after a redrive \(see docs\/data-contract\.md\)$/m,
    );
    assert.doesNotMatch(stdout, /redrive --from/);
  });
});
