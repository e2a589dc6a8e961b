import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../helpers/cli.ts';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'stockpipe-cli-'));
const version = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('stockpipe CLI shell', () => {
  it('--help lists every global option and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    assert.equal(code, 0);
    for (const flag of [
      '--name',
      '--region',
      '--profile',
      '--target',
      '--json',
      '--yes',
      '--no-color',
      '--verbose',
      '--config',
      '--version',
    ]) {
      assert.match(stdout, new RegExp(`${flag}\\b`), `help lists ${flag}`);
    }
    assert.match(stdout, /Examples:/);
  });

  it('no arguments prints the help on stdout and exits 0', async () => {
    const { code, stdout } = await runCli([]);
    assert.equal(code, 0);
    assert.match(stdout, /Usage: stockpipe/);
  });

  it('--version prints the package.json version', async () => {
    const { code, stdout } = await runCli(['--version']);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), version);
  });

  it('config --json is one JSON document with values and sources', async () => {
    const { code, stdout, stderr } = await runCli(['config', '--json'], {
      env: { AWS_REGION: 'eu-west-1' },
      cwd: emptyDir(),
    });
    assert.equal(code, 0, stderr);
    const document = JSON.parse(stdout);
    assert.deepEqual(document.settings.name, { value: 'stockpipe', source: 'default' });
    assert.deepEqual(document.settings.region, { value: 'eu-west-1', source: 'env', origin: 'AWS_REGION' });
    assert.deepEqual(document.settings.profile, { value: null, source: 'default' });
    assert.equal(document.configFile, null);
    assert.equal(stderr, '', 'no decoration with --json');
  });

  it('accepts global options before or after the command', async () => {
    const before = await runCli(['--json', '--name', 'alpha', 'config'], { cwd: emptyDir() });
    const after = await runCli(['config', '--name', 'alpha', '--json'], { cwd: emptyDir() });
    assert.equal(before.code, 0);
    assert.equal(after.code, 0);
    assert.equal(JSON.parse(before.stdout).settings.name.value, 'alpha');
    assert.deepEqual(JSON.parse(before.stdout), JSON.parse(after.stdout));
  });

  it('a bad STOCKPIPE_NAME exits 2 with one line naming the rule', async () => {
    const { code, stdout, stderr } = await runCli(['config'], {
      env: { STOCKPIPE_NAME: 'Bad_Name!' },
      cwd: emptyDir(),
    });
    assert.equal(code, 2);
    assert.equal(stdout, '');
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0] as string, /STOCKPIPE_NAME.*lower-case letters, digits and hyphens/);
  });

  it('bad flag values, unknown options and unknown commands exit 2 with one line', async () => {
    for (const argv of [
      ['config', '--target', 'mars'],
      ['config', '--region', 'moon-1'],
      ['config', '--bogus'],
      ['conifg'],
    ]) {
      const { code, stderr } = await runCli(argv, { cwd: emptyDir() });
      assert.equal(code, 2, argv.join(' '));
      assert.equal(stderr.trim().split('\n').length, 1, `${argv.join(' ')}: ${stderr}`);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('--config naming a missing file exits 2', async () => {
    const { code, stderr } = await runCli(['config', '--config', 'nope.json'], { cwd: emptyDir() });
    assert.equal(code, 2);
    assert.match(stderr, /config file not found: nope\.json/);
  });

  it('reads stockpipe.config.json and flags beat environment beat file', async () => {
    const dir = emptyDir();
    writeFileSync(
      join(dir, 'stockpipe.config.json'),
      JSON.stringify({ name: 'from-file', target: 'local', region: 'us-west-2' }),
    );
    const { code, stdout } = await runCli(['config', '--json', '--region', 'ap-south-1'], {
      cwd: dir,
      env: { STOCKPIPE_NAME: 'from-env' },
    });
    assert.equal(code, 0);
    const { settings } = JSON.parse(stdout);
    assert.equal(settings.region.value, 'ap-south-1');
    assert.equal(settings.region.source, 'flag');
    assert.equal(settings.name.value, 'from-env');
    assert.equal(settings.target.value, 'local');
    assert.equal(settings.target.source, 'config');
  });

  it('reports each config file problem on its own line and exits 2', async () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'stockpipe.config.json'), JSON.stringify({ nmae: 'x', target: 7, region: 'nowhere' }));
    const { code, stderr } = await runCli(['config'], { cwd: dir });
    assert.equal(code, 2);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 3, stderr);
    assert.match(stderr, /unknown key 'nmae'/);
    assert.match(stderr, /key 'target' must be a string/);
    assert.match(stderr, /invalid region 'nowhere'/);
  });

  it('plain config output names each source and never colours without a TTY', async () => {
    const { code, stdout } = await runCli(['config'], {
      env: { AWS_PROFILE: 'dev', FORCE_COLOR: undefined },
      cwd: emptyDir(),
    });
    assert.equal(code, 0);
    assert.match(stdout, /^profile\s+dev\s+env \(AWS_PROFILE\)$/m);
    assert.ok(!stdout.includes('\u001b['), 'no ANSI escape codes');
  });
});

describe('stockpipe as a process', () => {
  it('ends quietly with exit 0 when the reader closes the pipe early', async () => {
    const { spawn } = await import('node:child_process');
    const bin = fileURLToPath(new URL('../../../bin/stockpipe.js', import.meta.url));
    const child = spawn(process.execPath, [bin, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first write
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    assert.doesNotMatch(stderr, /EPIPE|at /);
  });
});
