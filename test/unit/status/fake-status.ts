/**
 * `runStatus` over a fake target pipeline: one resource, present, and no AWS behind it — so only
 * what a test passes (activity readers, clients, the clock) decides what status prints.
 */
import { runStatus } from '../../../src/commands/status/run.ts';
import type { ResourceNode } from '../../../src/pipeline/types.ts';
import { createCaptureIO } from '../../../src/ui/io.ts';

type StatusDeps = Parameters<typeof runStatus>[0];

export interface FakeStatusOptions extends Partial<Omit<StatusDeps, 'pipeline' | 'io'>> {
  pipeline?: Partial<StatusDeps['pipeline']>;
  json?: boolean;
}

const presentStream: ResourceNode = {
  id: 'stream',
  kind: 'Kinesis stream',
  name: 'stockpipe-stream',
  dependsOn: [],
  describe: async () => ({ presence: 'present', changes: [], notes: [] }),
  ensure: async () => ({ action: 'unchanged' }),
  destroy: async () => 'absent',
};

const noCloudWatch = async (): Promise<never> => {
  throw new Error('no CloudWatch here');
};

export async function fakeStatus({ pipeline = {}, json = false, ...deps }: FakeStatusOptions = {}) {
  const capture = createCaptureIO({ json });
  const code = await runStatus({
    io: capture.io,
    name: 'stockpipe',
    cwd: '/nonexistent',
    clients: {
      get: async () => {
        throw new Error('no S3 here');
      },
    },
    pipeline: {
      feedCommand: 'stream --symbol AAPL',
      identity: async () => ({
        account: '000000000000',
        region: 'us-east-1',
        partition: 'aws',
        arn: 'arn:aws:iam::000000000000:root',
      }),
      graph: () => [presentStream],
      recordsLastHour: async () => 120_891,
      backlog: async () => ({ ingestMs: 0, trendsMs: 0 }),
      ingestedLastHour: noCloudWatch,
      strategyErrorsLastHour: noCloudWatch,
      deployedSettings: async () => undefined,
      ...pipeline,
    },
    ...deps,
  });
  return { code, stdout: capture.stdout(), stderr: capture.stderr() };
}
