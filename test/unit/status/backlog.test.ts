import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runStatus } from '../../../src/commands/status/run.ts';
import type { ResourceNode } from '../../../src/pipeline/types.ts';
import { createCaptureIO } from '../../../src/ui/io.ts';

/** One resource, present: only the activity decides the verdict. */
const present: ResourceNode = {
  id: 'stream',
  kind: 'Kinesis stream',
  name: 'stockpipe-stream',
  dependsOn: [],
  describe: async () => ({ presence: 'present', changes: [], notes: [] }),
  ensure: async () => ({ action: 'unchanged' }),
  destroy: async () => 'absent',
};

async function status(
  backlog: { ingestMs: number | null; trendsMs: number | null },
  overrides: Partial<Parameters<typeof runStatus>[0]> = {},
) {
  const capture = createCaptureIO();
  const code = await runStatus({
    io: capture.io,
    name: 'stockpipe',
    cwd: '/nonexistent',
    clients: {
      get: async () => {
        throw new Error('no S3 here');
      },
    },
    identity: async () => ({
      account: '000000000000',
      region: 'us-east-1',
      partition: 'aws',
      arn: 'arn:aws:iam::000000000000:root',
    }),
    graph: () => [present],
    recordsLastHour: async () => 120_891,
    backlog: async () => backlog,
    ...overrides,
  });
  return { code, stdout: capture.stdout(), stderr: capture.stderr() };
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
        recordsLastHour: fail('no metrics'),
        ingestedLastHour: fail('no log'),
        documentClient: fail('no table'),
        backlog: fail('no daemon'),
      },
    );
    assert.match(stdout, /^Records in the last hour: unknown$/m);
    assert.doesNotMatch(stdout, /^Ingested in the last hour/m);
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
