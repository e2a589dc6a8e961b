import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCleanup } from '../../src/commands/cleanup/run.ts';
import { parseSetupFlags } from '../../src/commands/setup/options.ts';
import { runSetup } from '../../src/commands/setup/run.ts';
import { StockpipeError } from '../../src/errors.ts';
import type { CodeSource } from '../../src/pipeline/types.ts';
import { awsTargetPipeline } from '../../src/targets/aws.ts';
import { type Moto, motoSkipReason, startMoto } from '../helpers/moto.ts';
import { countingClients, FAST_TIMING, fixtureCode, leftovers, quietIO } from './pipeline-fixtures.ts';

// A failure injected at every mutating call k of setup: cleanup then leaves nothing, and setup
// run again over the partial pipeline completes and converges.
describe('setup interrupted at every step', { skip: motoSkipReason() }, () => {
  let moto: Moto;
  let code: CodeSource;
  const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-faults-'));
  const flags = { email: ['ops@example.com'] };

  before(async () => {
    moto = await startMoto();
    code = await fixtureCode();
  });
  after(async () => {
    await moto.stop();
  });

  const setup = async (failAt?: number) => {
    const counting = countingClients(moto, failAt);
    try {
      const exit = await runSetup(parseSetupFlags(flags), {
        io: quietIO().io,
        name: 'faulty',
        clients: counting.clients,
        pipeline: await awsTargetPipeline(counting.clients),
        cwd,
        code,
        timing: FAST_TIMING,
      });
      return { exit, error: undefined, mutations: counting.mutations };
    } catch (error) {
      return { exit: 1, error, mutations: counting.mutations };
    } finally {
      await counting.clients.destroy();
    }
  };
  const cleanup = async () => {
    const counting = countingClients(moto);
    try {
      return await runCleanup(
        { dryRun: false },
        {
          io: quietIO().io,
          name: 'faulty',
          clients: counting.clients,
          pipeline: await awsTargetPipeline(counting.clients),
          cwd,
          timing: FAST_TIMING,
        },
      );
    } finally {
      await counting.clients.destroy();
    }
  };
  const left = async () => {
    const clients = moto.clients();
    try {
      return await leftovers(clients, 'faulty');
    } finally {
      await clients.destroy();
    }
  };

  it('for every k: fail at k → cleanup leaves nothing; fail at k → setup again completes', async () => {
    await moto.reset();
    const full = await setup();
    assert.equal(full.exit, 0);
    const steps = full.mutations.length;
    assert.ok(steps >= 30, `a full setup makes ${steps} mutating calls`);
    await moto.reset();

    for (let k = 1; k <= steps; k++) {
      const broken = await setup(k);
      assert.ok(broken.error instanceof StockpipeError, `k=${k}: setup reports the failure`);
      assert.match((broken.error as Error).message, /injected failure/);
      assert.equal(await cleanup(), 0, `k=${k}: cleanup succeeds`);
      assert.deepEqual(await left(), [], `k=${k}: nothing remains`);

      const brokenAgain = await setup(k);
      assert.ok(brokenAgain.error, `k=${k}: fails again`);
      const resumed = await setup();
      assert.equal(resumed.exit, 0, `k=${k}: setup resumes: ${String(resumed.error)}`);
      assert.ok(resumed.mutations.length <= steps - k + 1, `k=${k}: resuming redoes nothing already done`);
      const converged = await setup();
      assert.deepEqual(converged.mutations, [], `k=${k}: the resumed pipeline is complete`);
      await moto.reset();
    }
  });
});
