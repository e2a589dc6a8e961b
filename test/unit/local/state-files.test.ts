import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runtimesToStop } from '../../../src/local/daemon/daemon.ts';
import { readJsonState, writeJsonAtomic } from '../../../src/local/files.ts';
import { localPaths } from '../../../src/local/paths.ts';
import { localPipelineDefinition, registryEntry, writeLocalPipeline } from '../../../src/local/pipelines.ts';
import { CheckpointStore, CheckpointUnreadableError } from '../../../src/local/runner/checkpoints.ts';
import { FileFailureDestination } from '../../../src/local/runner/failures.ts';
import { mappingConfig } from '../../../src/local/runner/mapping.ts';
import { TableStreamLog } from '../../../src/local/runner/table-stream.ts';
import { TableStreamRunner } from '../../../src/local/runner/table-stream-runner.ts';
import { daemonEnvironment, makePrivateDirs } from '../../../src/local/stack.ts';
import { waitFor } from '../../helpers/wait.ts';

// Issue 16, item 8: an unreadable checkpoint was taken for none (the runner replayed the stream
// from its start), and a registry file unreadable for a moment made the daemon forget the pipeline.
const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockpipe-state-files-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('checkpoints', () => {
  const source = 'arn:aws:kinesis:us-east-1:000000000000:stream/x-stream';

  it('start empty when there is no file, and resume from a saved one', () => {
    const paths = localPaths(temp());
    const store = new CheckpointStore(paths, 'x-ingest', source);
    assert.deepEqual(store.open('e1'), {});
    store.save('shard-0', '42');
    assert.deepEqual(new CheckpointStore(paths, 'x-ingest', source).open('e1'), { 'shard-0': '42' });
    assert.deepEqual(new CheckpointStore(paths, 'x-ingest', source).open('e2'), {}, 'a new incarnation starts over');
  });

  it('refuse a damaged file instead of starting from the beginning', () => {
    const paths = localPaths(temp());
    mkdirSync(paths.checkpointsDir, { recursive: true });
    for (const content of ['{"source": "arn', '', '{"source":1}', '[]']) {
      writeFileSync(join(paths.checkpointsDir, 'x-ingest.json'), content);
      assert.throws(
        () => new CheckpointStore(paths, 'x-ingest', source).open('e1'),
        (error: Error) =>
          error instanceof CheckpointUnreadableError && /cannot be read.*local stop/.test(error.message),
        JSON.stringify(content),
      );
    }
  });

  it('refuse a file that cannot be read now', () => {
    const paths = localPaths(temp());
    const store = new CheckpointStore(paths, 'x-ingest', source);
    store.open('e1');
    store.save('shard-0', '42');
    // A read error other than "missing" (EISDIR here: it fails for root too, unlike a chmod).
    const file = join(paths.checkpointsDir, 'x-ingest.json');
    rmSync(file);
    mkdirSync(file);
    assert.throws(() => new CheckpointStore(paths, 'x-ingest', source).open('e1'), CheckpointUnreadableError);
  });
});

describe('state files', () => {
  it('are written whole, private to the user, with no temporary file left', () => {
    const dir = temp();
    const file = join(dir, 'sub', 'state.json');
    writeJsonAtomic(file, { a: 1 });
    assert.deepEqual(readJsonState(file), { state: 'ok', value: { a: 1 } });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['state.json']);
    assert.equal(readJsonState(join(dir, 'none.json')).state, 'missing');
    writeFileSync(file, '{"a":');
    assert.equal(readJsonState(file).state, 'unreadable');
  });
});

describe('registry scan', () => {
  it('forgets a pipeline only when its file is really gone', () => {
    const cwd = temp();
    const pipeline = localPipelineDefinition('demo');
    writeLocalPipeline(cwd, pipeline);
    assert.equal(registryEntry(cwd, 'demo'), 'present');
    assert.equal(registryEntry(cwd, 'other'), 'gone');
    writeFileSync(join(localPaths(cwd).pipelinesDir, 'demo.json'), '{ damaged');
    assert.equal(registryEntry(cwd, 'demo'), 'present', 'a damaged file is still there');

    const running = new Map([['demo', JSON.stringify(pipeline)]]);
    // The listing skipped the unreadable file: the runtime keeps running, its state kept.
    assert.deepEqual(
      runtimesToStop(running, new Map(), () => 'present'),
      [],
    );
    assert.deepEqual(
      runtimesToStop(running, new Map(), () => 'unknown'),
      [],
    );
    assert.deepEqual(
      runtimesToStop(running, new Map(), () => 'gone'),
      [{ name: 'demo', forget: true }],
    );
    const changed = new Map([['demo', { ...pipeline, ingestEnv: { X: '1' } }]]);
    assert.deepEqual(
      runtimesToStop(running, changed, () => 'present'),
      [{ name: 'demo', forget: false }],
    );
    assert.deepEqual(
      runtimesToStop(running, new Map([['demo', pipeline]]), () => 'present'),
      [],
    );
  });
});

describe('the local stack keeps to itself (issue 16)', () => {
  it('spawns its daemon with an allow-listed environment: no AWS credentials, no other secrets (issue 24)', () => {
    const env = daemonEnvironment({
      PATH: '/bin',
      HOME: '/home/me',
      TMPDIR: '/tmp/me',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
      LD_PRELOAD: '/usr/lib/faketime/libfaketime.so.1',
      FAKETIME: '+400d',
      AWS_ACCESS_KEY_ID: 'AKIA',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_PROFILE: 'prod',
      GITHUB_TOKEN: 'ghp_x',
      MY_DB_PASSWORD: 'hunter2',
      NODE_OPTIONS: '--require /tmp/evil.js',
      NODE_TEST_CONTEXT: 'child',
    });
    assert.deepEqual(env, {
      PATH: '/bin',
      HOME: '/home/me',
      TMPDIR: '/tmp/me',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
      LD_PRELOAD: '/usr/lib/faketime/libfaketime.so.1',
      FAKETIME: '+400d',
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '32768',
    });
    assert.equal(daemonEnvironment({ MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX, '8', 'the caller’s choice stands');
  });

  it('makes .stockpipe/ and its folders private to the user, also when they existed', () => {
    const cwd = temp();
    mkdirSync(join(cwd, '.stockpipe', 'local'), { recursive: true, mode: 0o755 });
    makePrivateDirs(cwd);
    for (const dir of ['.stockpipe', '.stockpipe/local', '.stockpipe/local/logs']) {
      assert.equal(statSync(join(cwd, dir)).mode & 0o777, 0o700, dir);
    }
  });
});

describe('a runner whose checkpoint cannot be read', () => {
  it('does not start, and says why, instead of delivering its source again from the start', async () => {
    const paths = localPaths(temp());
    const log = new TableStreamLog(paths, 'x-quotes');
    log.appendInserts([{ keys: { symbol: { S: 'A' } }, newImage: { symbol: { S: 'A' } } }]);
    mkdirSync(paths.checkpointsDir, { recursive: true });
    writeFileSync(join(paths.checkpointsDir, 'x-trends.json'), '{"source": "arn:aws:dyn');
    const invoked: unknown[] = [];
    const runner = new TableStreamRunner({
      log,
      invoker: {
        functionName: 'x-trends',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:x-trends',
        async invoke(event) {
          invoked.push(event);
          return { ok: true, response: undefined } as never;
        },
      },
      config: mappingConfig({ batchingWindowMs: 0 }),
      paths,
      failureDestination: new FileFailureDestination(join(paths.failuresDir, 'x-trends.ndjson')),
    });
    const logged: string[] = [];
    const original = console.error;
    console.error = (line: string) => logged.push(line);
    try {
      runner.start();
    } finally {
      console.error = original;
    }
    await waitFor(() => runner.counters.waitingFor !== null, 'the runner to say why it stopped');
    await runner.stop();
    assert.equal(invoked.length, 0, 'nothing delivered again');
    assert.match(runner.counters.waitingFor ?? '', /checkpoint .*x-trends\.json cannot be read \(not valid JSON\)/);
    assert.match(logged.join('\n'), /x-trends: checkpoint .* cannot be read/);
  });
});
