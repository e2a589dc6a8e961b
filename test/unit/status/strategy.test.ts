import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { strategyErrorsSince } from '../../../src/logs/strategy-errors.ts';
import type { DeployedSettings } from '../../../src/pipeline/types.ts';
import { fakeStatus } from './fake-status.ts';

async function status(settings: DeployedSettings | undefined, errors: () => Promise<number>, json = false) {
  const { stdout } = await fakeStatus({
    json,
    pipeline: {
      recordsLastHour: async () => 10,
      deployedSettings: async () => settings,
      strategyErrorsLastHour: errors,
    },
  });
  return stdout;
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
