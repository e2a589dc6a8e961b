/**
 * Settings that stay: a later `setup` keeps what it is not told to change (read back from what is
 * deployed — here the local runner's registry, on AWS the trends function and its log group), and
 * `--dry-run` shows a setting's change as `before → after`.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { readLocalPipeline } from '../../../src/local/pipelines.ts';
import { runCli } from '../../helpers/cli.ts';
import { freshWorkdir } from './harness.ts';

const { cwd, dispose } = freshWorkdir('settings');
after(dispose);
const local = (...argv: string[]) => runCli([...argv, '--target', 'local', '--name', 'kept'], { cwd });
const deployedEnv = () => readLocalPipeline(cwd, 'kept')?.trendsEnv ?? {};

it('setup --strategy threshold, then a plain setup keeps threshold; --dry-run shows before → after', async () => {
  const first = await local('setup', '--strategy', 'threshold', '--thresh-pct', '2', '--alert-lang', 'es');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(deployedEnv().STRATEGY, 'threshold');

  const plain = await local('setup');
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /up to date/, 'nothing changes when nothing is asked');
  assert.equal(deployedEnv().STRATEGY, 'threshold');
  assert.equal(deployedEnv().THRESH_PCT, '2');
  assert.equal(deployedEnv().ALERT_LANG, 'es');

  const plan = await local('setup', '--dry-run', '--lookback', '30');
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(
    plan.stdout,
    /^setting {3}strategy: threshold threshPct 2 lookback 15 smaWindow 20 minPoints 20 epsPct 0\.2 → threshold threshPct 2 lookback 30 smaWindow 20 minPoints 20 epsPct 0\.2$/m,
  );
  assert.doesNotMatch(plan.stdout, /alert language/, 'what is not asked is not changed');
  assert.equal(deployedEnv().LOOKBACK, '15', 'a dry run changes nothing');

  const back = await local('setup', '--strategy', 'crossover', '--alert-lang', 'en', '--json');
  assert.equal(back.code, 0, back.stderr);
  assert.equal(deployedEnv().STRATEGY, 'crossover', 'returning to a default is an explicit flag');
  assert.equal(deployedEnv().ALERT_LANG, 'en');

  assert.equal((await local('cleanup', '--yes')).code, 0);
});

it('setup stopped by Ctrl+C part-way exits 130 and says how to resume, with the same flags', async () => {
  const controller = new AbortController();
  controller.abort('SIGINT');
  const cut = await runCli(['setup', '--target', 'local', '--name', 'cut'], { cwd, signal: controller.signal });
  assert.equal(cut.code, 130, cut.stderr);
  assert.match(
    cut.stderr,
    /^Cancelled — setup stopped part-way \(what had started has finished\): run `npx stockpipe setup --name cut --target local` again/m,
  );
  assert.equal((await runCli(['cleanup', '--target', 'local', '--name', 'cut', '--yes'], { cwd })).code, 0);
});

it('the same stop by SIGTERM exits 143, as a shell reports a terminated process', async () => {
  const controller = new AbortController();
  controller.abort('SIGTERM');
  const cut = await runCli(['setup', '--target', 'local', '--name', 'term'], { cwd, signal: controller.signal });
  assert.equal(cut.code, 143, cut.stderr);
  assert.match(cut.stderr, /^Cancelled — setup stopped part-way/m);
  assert.equal((await runCli(['cleanup', '--target', 'local', '--name', 'term', '--yes'], { cwd })).code, 0);
});
