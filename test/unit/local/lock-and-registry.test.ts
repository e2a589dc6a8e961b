import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ingestConfigFromEnv, trendsConfigFromEnv } from '../../../src/core/handler-env.ts';
import { acquireLock, tryAcquireLock } from '../../../src/local/lock.ts';
import { localPaths } from '../../../src/local/paths.ts';
import {
  type LocalPipeline,
  listLocalPipelines,
  localPipelineDefinition,
  readLocalPipeline,
  removeLocalPipeline,
  writeLocalPipeline,
} from '../../../src/local/pipelines.ts';
import { runCli } from '../../helpers/cli.ts';

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockpipe-unit-local-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('exclusive lock file', () => {
  it('serialises holders: the second waits until the first releases', async () => {
    const file = join(temp(), 'x.lock');
    const first = await acquireLock(file);
    assert.equal(readFileSync(file, 'utf8'), String(process.pid));
    const order: string[] = [];
    const second = acquireLock(file).then((lock) => {
      order.push('second acquired');
      return lock;
    });
    await sleep(150);
    order.push('first releases');
    first.release();
    (await second).release();
    assert.deepEqual(order, ['first releases', 'second acquired']);
    assert.equal(existsSync(file), false);
  });

  it('breaks a lock left by a dead process', async () => {
    const file = join(temp(), 'x.lock');
    const dead = Number(
      spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim(),
    );
    writeFileSync(file, String(dead));
    const lock = await acquireLock(file, { timeoutMs: 5000 });
    assert.equal(readFileSync(file, 'utf8'), String(process.pid));
    lock.release();
  });

  it('appears whole: written to a temporary file and linked into place, which leaves nothing behind', async () => {
    const dir = temp();
    const file = join(dir, 'x.lock');
    const lock = await acquireLock(file);
    assert.equal(readFileSync(file, 'utf8'), String(process.pid));
    assert.deepEqual(readdirSync(dir), ['x.lock']);
    assert.deepEqual(tryAcquireLock(file), { heldBy: process.pid }, 'a second try finds the holder');
    assert.deepEqual(readdirSync(dir), ['x.lock']);
    lock.release();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('breaks an empty or unreadable lock, which no holder ever writes (a crash of an older writer)', async () => {
    const file = join(temp(), 'x.lock');
    writeFileSync(file, '');
    const held = tryAcquireLock(file);
    assert.ok('release' in held, JSON.stringify(held));
    assert.equal(readFileSync(file, 'utf8'), String(process.pid));
    held.release();
    writeFileSync(file, 'garbage');
    const lock = await acquireLock(file, { timeoutMs: 5000 });
    assert.equal(readFileSync(file, 'utf8'), String(process.pid));
    lock.release();
  });

  it('times out with a message naming the holder while a live process holds it', async () => {
    const file = join(temp(), 'x.lock');
    writeFileSync(file, String(process.ppid));
    await assert.rejects(acquireLock(file, { timeoutMs: 200, what: 'the test lock' }), /the test lock held by process/);
  });
});

describe('local pipeline registry', () => {
  const pipeline = (name: string): LocalPipeline => ({
    name,
    stream: `${name}-stream`,
    quotesTable: `${name}-quotes`,
    alertsTable: `${name}-alerts`,
    rawBucket: `${name}-raw-000000000000-us-east-1`,
    ingestEnv: { QUOTES_TABLE: `${name}-quotes` },
    trendsEnv: { ALERTS_TABLE: `${name}-alerts`, ALERTS_TOPIC_ARN: '' },
  });

  it('writes, lists (sorted), reads and removes pipelines under .stockpipe/local/pipelines', () => {
    const cwd = temp();
    assert.deepEqual(listLocalPipelines(cwd), []);
    writeLocalPipeline(cwd, pipeline('zeta'));
    writeLocalPipeline(cwd, pipeline('alpha'));
    assert.ok(existsSync(join(localPaths(cwd).pipelinesDir, 'alpha.json')));
    assert.deepEqual(
      listLocalPipelines(cwd).map((p) => p.name),
      ['alpha', 'zeta'],
    );
    assert.deepEqual(readLocalPipeline(cwd, 'zeta'), pipeline('zeta'));
    assert.equal(removeLocalPipeline(cwd, 'zeta'), true);
    assert.equal(removeLocalPipeline(cwd, 'zeta'), false);
    assert.deepEqual(
      listLocalPipelines(cwd).map((p) => p.name),
      ['alpha'],
    );
  });

  it('localPipelineDefinition derives names and handler environments that the handlers read back', () => {
    const pipeline = localPipelineDefinition('demo', {
      trends: { strategy: { name: 'crossover', short: 3, long: 8 }, language: 'pl' },
      ingest: { ttlDays: 7 },
    });
    assert.equal(pipeline.stream, 'demo-stream');
    assert.equal(pipeline.quotesTable, 'demo-quotes');
    assert.equal(pipeline.alertsTable, 'demo-alerts');
    assert.equal(pipeline.rawBucket, 'demo-raw-000000000000-us-east-1');
    const ingest = ingestConfigFromEnv(pipeline.ingestEnv);
    assert.equal(ingest.rawBucket, 'demo-raw-000000000000-us-east-1');
    assert.equal(ingest.ttlDays, 7);
    const trends = trendsConfigFromEnv(pipeline.trendsEnv);
    assert.deepEqual(trends.strategy, { name: 'crossover', short: 3, long: 8 });
    assert.equal(trends.alertsTopicArn, '', 'no SNS locally: alerts are recorded, not published');
    assert.equal(trends.language, 'pl');
  });

  it('skips files that are not pipelines', () => {
    const cwd = temp();
    mkdirSync(localPaths(cwd).pipelinesDir, { recursive: true });
    writeFileSync(join(localPaths(cwd).pipelinesDir, 'broken.json'), '{"name": ');
    writeFileSync(join(localPaths(cwd).pipelinesDir, 'partial.json'), '{"name": "partial"}');
    writeLocalPipeline(cwd, pipeline('ok'));
    assert.deepEqual(
      listLocalPipelines(cwd).map((p) => p.name),
      ['ok'],
    );
  });
});

describe('stockpipe local (no stack running)', () => {
  it('status says stopped, in text and JSON, without starting anything', async () => {
    const cwd = temp();
    const text = await runCli(['local', 'status'], { cwd });
    assert.equal(text.code, 0);
    assert.match(text.stdout, /local stack: stopped/);
    assert.match(text.stdout, /pipelines: none registered/);
    const json = await runCli(['local', 'status', '--json'], { cwd });
    const status = JSON.parse(json.stdout);
    assert.equal(status.running, false);
    assert.equal(status.pid, null);
    assert.deepEqual(status.pipelines, []);
    assert.equal(existsSync(localPaths(cwd).stateFile), false);
  });

  it('stop is a no-op that says so', async () => {
    const cwd = temp();
    const result = await runCli(['local', 'stop', '--json'], { cwd });
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.stdout), { stopped: false, pid: null, staleRemoved: false });
  });

  it('is listed in --help with its subcommands; an unknown subcommand is a usage error', async () => {
    const help = await runCli(['--help']);
    assert.match(help.stdout, /local\b/);
    const local = await runCli(['local', '--help']);
    assert.match(local.stdout, /start/);
    assert.match(local.stdout, /stop/);
    assert.match(local.stdout, /status/);
    const bad = await runCli(['local', 'restartt']);
    assert.equal(bad.code, 2);
  });
});
