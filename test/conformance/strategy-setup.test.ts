/**
 * `setup --strategy <file>` against moto: the trends function gets a zip holding the strategy's
 * bundle beside the handler and STRATEGY=<name>; the same file again changes nothing; an edited
 * file updates the function's code and nothing else; a plain setup does not drop the strategy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { parseSetupFlags, type SetupFlags } from '../../src/commands/setup/options.ts';
import { runSetup } from '../../src/commands/setup/run.ts';
import { loadStrategyFile } from '../../src/commands/shared/strategy-file.ts';
import { pipelineNames } from '../../src/core/names.ts';
import { STRATEGY_MODULE } from '../../src/core/strategies/index.ts';
import { UsageError } from '../../src/errors.ts';
import { bundleStrategyFile, trendsZipWithStrategy } from '../../src/packaging/strategy-bundle.ts';
import { unzip } from '../../src/packaging/unzip.ts';
import type { CodeSource } from '../../src/pipeline/types.ts';
import { awsTargetPipeline } from '../../src/targets/aws.ts';
import { type Moto, motoSkipReason, startMoto } from '../helpers/moto.ts';
import { countingClients, FAST_TIMING, fixtureCode, quietIO } from './pipeline-fixtures.ts';

const strategyText = (threshold: number) =>
  `export default {
  name: 'jump',
  history: 1,
  evaluate(points, i) {
    const change = points[i].price / points[i - 1].price - 1;
    return change > ${threshold} ? { signal: 'BUY', indicators: { change } } : undefined;
  },
};
`;

describe('setup --strategy <file> against moto', { skip: motoSkipReason() }, () => {
  let moto: Moto;
  let code: CodeSource;
  let cwd: string;
  const opened: { destroy(): Promise<void> }[] = [];

  before(async () => {
    moto = await startMoto();
    code = await fixtureCode('v1');
  });
  after(async () => {
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    cwd = mkdtempSync(join(tmpdir(), 'stockpipe-conf-strategy-'));
  });
  afterEach(async () => {
    for (const clients of opened.splice(0)) await clients.destroy();
    rmSync(cwd, { recursive: true, force: true });
  });

  /** setup as the command runs it: the file bundled and checked first, then the walk. */
  const setup = async (flags: SetupFlags, options: { json?: boolean; dryRun?: boolean } = {}) => {
    const file = await loadStrategyFile(flags.strategy, cwd);
    const counting = countingClients(moto);
    opened.push(counting.clients);
    const capture = quietIO({ json: options.json === true });
    const exit = await runSetup(
      parseSetupFlags({ ...flags, dryRun: options.dryRun === true }, undefined, file?.config),
      {
        io: capture.io,
        name: 'alpha',
        clients: counting.clients,
        // As the AWS target reads them: options left out keep what is deployed.
        pipeline: await awsTargetPipeline(counting.clients),
        cwd,
        code,
        timing: FAST_TIMING,
      },
    );
    return { exit, mutations: counting.mutations, stdout: capture.stdout(), stderr: capture.stderr() };
  };
  const trendsConfig = async () => {
    const clients = moto.clients();
    opened.push(clients);
    const lambda = await clients.get('lambda');
    return lambda.send(new GetFunctionConfigurationCommand({ FunctionName: pipelineNames('alpha').trendsFunction }));
  };
  /** The trends zip setup should deploy for the file: the fixture's handler and the bundle. */
  const expectedZip = async (path: string) => {
    const bundle = await bundleStrategyFile(path);
    const zip = await trendsZipWithStrategy((await code('trends')).bytes, bundle);
    const entries = unzip(zip.bytes);
    assert.deepEqual(
      entries.map((entry) => entry.name),
      ['index.mjs', STRATEGY_MODULE],
    );
    assert.deepEqual(new Uint8Array(entries[1]?.content ?? []), new Uint8Array(bundle.code));
    return { sha256: zip.sha256, hash: bundle.hash };
  };

  it('deploys a trends zip holding the strategy; the same file again changes nothing', async () => {
    const path = join(cwd, 'jump.mjs');
    writeFileSync(path, strategyText(0.05));
    const expected = await expectedZip(path);

    const plan = await setup({ strategy: './jump.mjs' }, { dryRun: true });
    assert.equal(plan.exit, 0, plan.stderr);
    assert.match(plan.stdout, new RegExp(`^strategy  jump \\(bundle ${expected.hash}\\)$`, 'm'));
    assert.deepEqual(plan.mutations, []);

    const first = await setup({ strategy: './jump.mjs' });
    assert.equal(first.exit, 0, first.stderr);
    const config = await trendsConfig();
    assert.equal(config.CodeSha256, expected.sha256);
    assert.equal(config.Environment?.Variables?.STRATEGY, 'jump');
    assert.equal(config.Environment?.Variables?.SMA_SHORT, undefined);
    // The ingest function runs the package as given: the strategy rides in the trends zip only.
    const second = await setup({ strategy: './jump.mjs' });
    assert.equal(second.exit, 0, second.stderr);
    assert.deepEqual(second.mutations, []);
    assert.match(second.stdout, /up to date/);
  });

  it('an edited file updates only the function code; a plain setup keeps nothing silently', async () => {
    const path = join(cwd, 'jump.mjs');
    writeFileSync(path, strategyText(0.05));
    assert.equal((await setup({ strategy: path })).exit, 0);

    writeFileSync(path, strategyText(0.03));
    const expected = await expectedZip(path);
    const plan = await setup({ strategy: path }, { dryRun: true, json: true });
    const document = JSON.parse(plan.stdout);
    assert.deepEqual(document.strategy, { name: 'jump', bundle: expected.hash });
    assert.deepEqual(document.settings, [], 'the same strategy by name: no setting changes');
    assert.deepEqual(
      document.plan
        .filter((entry: { action: string }) => entry.action !== 'unchanged')
        .map((entry: { id: string; changes: string[] }) => [entry.id, entry.changes]),
      [['trends-function', ['code']]],
    );
    const edited = await setup({ strategy: path });
    assert.equal(edited.exit, 0, edited.stderr);
    assert.deepEqual(edited.mutations, ['UpdateFunctionCodeCommand']);
    assert.equal((await trendsConfig()).CodeSha256, expected.sha256);

    // The code of a file's strategy lives only in the deployed zip: rebuilding it needs the file.
    await assert.rejects(setup({ alertLang: 'es' }), (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /runs the jump strategy from a file: give it again with --strategy <file>/);
      return true;
    });
    // Back to the built-in: the plain package and its parameters.
    const back = await setup({ strategy: 'crossover' });
    assert.equal(back.exit, 0, back.stderr);
    assert.deepEqual(back.mutations, ['UpdateFunctionCodeCommand', 'UpdateFunctionConfigurationCommand']);
    const config = await trendsConfig();
    assert.equal(config.CodeSha256, (await code('trends')).sha256);
    assert.equal(config.Environment?.Variables?.STRATEGY, 'crossover');
  });
});
