import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runStatus } from '../../../src/commands/status/run.ts';
import { strategyErrorsSince } from '../../../src/logs/strategy-errors.ts';
import type { DeployedSettings, ResourceNode } from '../../../src/pipeline/types.ts';
import { createCaptureIO } from '../../../src/ui/io.ts';

const present: ResourceNode = {
  id: 'stream',
  kind: 'Kinesis stream',
  name: 'stockpipe-stream',
  dependsOn: [],
  describe: async () => ({ presence: 'present', changes: [], notes: [] }),
  ensure: async () => ({ state: 'unchanged' }) as never,
  destroy: async () => ({ state: 'absent' }) as never,
};

async function status(settings: DeployedSettings | undefined, errors: () => Promise<number>, json = false) {
  const capture = createCaptureIO({ json });
  await runStatus({
    io: capture.io,
    name: 'stockpipe',
    cwd: '/nonexistent',
    clients: { get: async () => Promise.reject(new Error('no AWS here')) } as never,
    pipeline: {
      feedCommand: 'stream --symbol AAPL',
      identity: async () => ({
        account: '000000000000',
        region: 'us-east-1',
        partition: 'aws',
        arn: 'arn:aws:iam::0:root',
      }),
      graph: () => [present],
      recordsLastHour: async () => 10,
      backlog: async () => ({ ingestMs: 0, trendsMs: 0 }),
      deployedSettings: async () => settings,
      strategyErrorsLastHour: errors,
      ingestedLastHour: async () => Promise.reject(new Error('no AWS here')),
    },
  });
  return capture.stdout();
}

describe('status names the deployed strategy and counts what it could not judge', () => {
  it("a file's strategy with errors in the last hour", async () => {
    const stdout = await status(
      { strategy: { name: 'breakout', file: '', bundle: '' }, language: 'en' },
      async () => 3,
    );
    assert.match(stdout, /^Strategy: breakout \(from a file\), 3 points it could not judge in the last hour/m);
  });

  it('a built-in without errors; --json carries both', async () => {
    const settings: DeployedSettings = { strategy: { name: 'crossover', short: 5, long: 20 }, language: 'en' };
    assert.match(await status(settings, async () => 0), /^Strategy: crossover, no errors in the last hour$/m);
    const document = JSON.parse(await status(settings, async () => 0, true));
    assert.deepEqual(document.activity.strategy, { name: 'crossover', file: false, errorsLastHour: 0 });
  });

  it('offline, the count is the sum of the trends log\'s "strategy failed" lines in the hour', () => {
    const line = (timestamp: string, points: number) =>
      JSON.stringify({ level: 'ERROR', message: 'strategy failed', timestamp, symbol: 'AAPL', points });
    const log = [
      line('2026-12-06T10:00:00.000Z', 5),
      JSON.stringify({ level: 'INFO', message: 'batch processed', timestamp: '2026-12-06T11:10:00.000Z' }),
      line('2026-12-06T11:15:00.000Z', 2),
      'not json "strategy failed"',
      line('2026-12-06T11:30:00.000Z', 1),
    ].join('\n');
    assert.equal(strategyErrorsSince(log, Date.parse('2026-12-06T11:00:00.000Z')), 3);
  });
});
