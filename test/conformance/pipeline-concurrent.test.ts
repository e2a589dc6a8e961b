import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { runCleanup } from '../../src/commands/cleanup/run.ts';
import { parseSetupFlags } from '../../src/commands/setup/options.ts';
import { runSetup } from '../../src/commands/setup/run.ts';
import { failureLine } from '../../src/pipeline/run.ts';
import type { CodeSource } from '../../src/pipeline/types.ts';
import { awsTargetPipeline } from '../../src/targets/aws.ts';
import { type Moto, motoSkipReason, startMoto } from '../helpers/moto.ts';
import { countingClients, FAST_TIMING, fixtureCode, leftovers, quietIO } from './pipeline-fixtures.ts';

describe('two setups of one name at once', { skip: motoSkipReason() }, () => {
  let moto: Moto;
  let code: CodeSource;
  before(async () => {
    moto = await startMoto();
    code = await fixtureCode('v1');
  });
  after(async () => {
    await moto.stop();
  });

  const setup = async (name: string) => {
    const counting = countingClients(moto);
    const capture = quietIO();
    const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-conc-'));
    try {
      const exit = await runSetup(parseSetupFlags({}), {
        io: capture.io,
        name,
        clients: counting.clients,
        pipeline: await awsTargetPipeline(counting.clients),
        cwd,
        code,
        timing: FAST_TIMING,
      });
      return { exit, mutations: counting.mutations, stdout: capture.stdout(), stderr: capture.stderr() };
    } finally {
      await counting.clients.destroy();
    }
  };

  it('both end with the pipeline complete: a third setup changes nothing, cleanup leaves nothing', async () => {
    const [first, second] = await Promise.all([setup('race'), setup('race')]);
    assert.equal(first.exit, 0, first.stderr);
    assert.equal(second.exit, 0, second.stderr);
    // Each resource was created once: the loser of each race adopted the winner's resource.
    const again = await setup('race');
    assert.equal(again.exit, 0, again.stderr);
    assert.deepEqual(again.mutations, []);
    assert.match(again.stdout, /Pipeline race is up to date/);
    const clients = moto.clients();
    try {
      const mappings = await (await clients.get('lambda')).send(new ListEventSourceMappingsCommand({}));
      assert.equal(mappings.EventSourceMappings?.length, 2, 'one mapping per function');
      const capture = quietIO();
      const exit = await runCleanup(
        { dryRun: false },
        {
          io: capture.io,
          name: 'race',
          clients,
          pipeline: await awsTargetPipeline(clients),
          cwd: mkdtempSync(join(tmpdir(), 'stockpipe-conc-')),
          timing: FAST_TIMING,
        },
      );
      assert.equal(exit, 0, capture.stderr());
      assert.deepEqual(await leftovers(clients, 'race'), []);
    } finally {
      await clients.destroy();
    }
  });

  it('a failed resource is named once in the failure line', () => {
    const line = failureLine({
      id: 'quotes-table',
      kind: 'DynamoDB table',
      name: 'x-quotes',
      state: 'failed',
      detail: 'Table already exists: x-quotes',
    });
    assert.equal(line, 'DynamoDB table: Table already exists: x-quotes');
    assert.equal(
      failureLine({
        id: 'quotes-table',
        kind: 'DynamoDB table',
        name: 'x-quotes',
        state: 'failed',
        detail: 'Access denied',
      }),
      'DynamoDB table x-quotes: Access denied',
    );
  });
});
