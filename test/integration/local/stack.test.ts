import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CreateTableCommand, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { localAwsClients } from '../../../src/local/clients.ts';
import { localPaths } from '../../../src/local/paths.ts';
import { ensureLocalStack, localStackStatus, stopLocalStack } from '../../../src/local/stack.ts';
import { writeStackState } from '../../../src/local/state.ts';
import { removeStackFolder } from '../../helpers/stack-folder.ts';
import { waitFor } from '../../helpers/wait.ts';
import { createActiveStream } from './fixtures.ts';

const STACK_MODULE = new URL('../../../src/local/stack.ts', import.meta.url).href;
const cwds: string[] = [];

function tempCwd(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-local-'));
  cwds.push(cwd);
  return cwd;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Every stack a test started is stopped, whatever happened; a daemon that will not stop is killed.
after(async () => {
  for (const cwd of cwds) await removeStackFolder(cwd);
});

describe('local stack lifecycle', () => {
  it('starts on demand on loopback, answers the SDK on all three emulators, and stops', async () => {
    const cwd = tempCwd();
    // A secret of the shell that starts it: the daemon's process never holds it (issue 24), so no
    // handler can read it, not even from /proc/self/environ.
    process.env.MY_DB_PASSWORD = 'hunter2-issue-24';
    let first: Awaited<ReturnType<typeof ensureLocalStack>>;
    try {
      first = await ensureLocalStack(cwd);
    } finally {
      delete process.env.MY_DB_PASSWORD;
    }
    assert.equal(first.started, true);
    if (existsSync(`/proc/${first.state.pid}/environ`)) {
      const environ = readFileSync(`/proc/${first.state.pid}/environ`, 'utf8');
      assert.doesNotMatch(environ, /hunter2-issue-24/);
      assert.match(environ, /(^|\0)PATH=/, 'what it needs is there');
    }
    for (const url of [first.endpoints.kinesis, first.endpoints.dynamodb, first.endpoints.s3]) {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    }
    assert.ok(alive(first.state.pid));
    const again = await ensureLocalStack(cwd);
    assert.equal(again.started, false);
    assert.equal(again.state.pid, first.state.pid);

    const clients = localAwsClients(first.endpoints);
    try {
      const kinesis = await clients.get('kinesis');
      await kinesis.send(new CreateStreamCommand({ StreamName: 'probe', ShardCount: 1 }));
      assert.deepEqual((await kinesis.send(new ListStreamsCommand({}))).StreamNames, ['probe']);
      const dynamodb = await clients.get('dynamodb');
      await dynamodb.send(
        new CreateTableCommand({
          TableName: 'probe',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
        }),
      );
      assert.deepEqual((await dynamodb.send(new ListTablesCommand({}))).TableNames, ['probe']);
      const s3 = await clients.get('s3');
      await s3.send(new CreateBucketCommand({ Bucket: 'probe-bucket' }));
      await s3.send(new PutObjectCommand({ Bucket: 'probe-bucket', Key: 'a.json', Body: '{"a":1}' }));
      const object = await s3.send(new GetObjectCommand({ Bucket: 'probe-bucket', Key: 'a.json' }));
      assert.equal(await object.Body?.transformToString(), '{"a":1}');
    } finally {
      await clients.destroy();
    }

    const status = await localStackStatus(cwd);
    assert.equal(status.running, true);
    assert.equal(status.pid, first.state.pid);
    assert.equal(status.daemon?.pid, first.state.pid);

    const stopped = await stopLocalStack(cwd);
    assert.deepEqual(stopped, { stopped: true, pid: first.state.pid });
    assert.equal(alive(first.state.pid), false);
    assert.equal(existsSync(localPaths(cwd).stateFile), false);
    assert.equal((await localStackStatus(cwd)).running, false);
    assert.deepEqual(await stopLocalStack(cwd), { stopped: false });
  });

  it('keeps DynamoDB, S3 and Kinesis state across a restart', async () => {
    const cwd = tempCwd();
    const first = await ensureLocalStack(cwd);
    let clients = localAwsClients(first.endpoints);
    const item = { k: { S: 'key' }, v: { N: '42' } };
    try {
      const dynamodb = await clients.get('dynamodb');
      await dynamodb.send(
        new CreateTableCommand({
          TableName: 'keep',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
        }),
      );
      await dynamodb.send(new PutItemCommand({ TableName: 'keep', Item: item }));
      const s3 = await clients.get('s3');
      await s3.send(new CreateBucketCommand({ Bucket: 'keep-bucket' }));
      await s3.send(new PutObjectCommand({ Bucket: 'keep-bucket', Key: 'raw/dt=2026-11-22/x.json', Body: 'kept' }));
      const kinesis = await clients.get('kinesis');
      await createActiveStream(kinesis, 'keep-stream', 1);
      await kinesis.send(
        new PutRecordsCommand({
          StreamName: 'keep-stream',
          Records: [{ PartitionKey: 'p', Data: Buffer.from('rec') }],
        }),
      );
    } finally {
      await clients.destroy();
    }
    await stopLocalStack(cwd);
    assert.ok(existsSync(join(localPaths(cwd).s3Dir, 'keep-bucket', 'raw/dt=2026-11-22/x.json._S3rver_object')));

    const second = await ensureLocalStack(cwd);
    assert.equal(second.started, true);
    assert.notEqual(second.state.pid, first.state.pid);
    clients = localAwsClients(second.endpoints);
    try {
      const dynamodb = await clients.get('dynamodb');
      const got = await dynamodb.send(new GetItemCommand({ TableName: 'keep', Key: { k: { S: 'key' } } }));
      assert.deepEqual(got.Item, item);
      const s3 = await clients.get('s3');
      const object = await s3.send(new GetObjectCommand({ Bucket: 'keep-bucket', Key: 'raw/dt=2026-11-22/x.json' }));
      assert.equal(await object.Body?.transformToString(), 'kept');
      const kinesis = await clients.get('kinesis');
      if (second.state.kinesisPersistent) {
        const iterator = await kinesis.send(
          new GetShardIteratorCommand({
            StreamName: 'keep-stream',
            ShardId: 'shardId-000000000000',
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        const records = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
        assert.deepEqual(
          records.Records?.map((record) => Buffer.from(record.Data ?? []).toString()),
          ['rec'],
        );
      }
    } finally {
      await clients.destroy();
    }
  });

  it('two processes that ensure the stack at the same moment share one stack', async () => {
    const cwd = tempCwd();
    const script = `
      const { ensureLocalStack } = await import(${JSON.stringify(STACK_MODULE)});
      const result = await ensureLocalStack(${JSON.stringify(cwd)});
      console.log(JSON.stringify({ pid: result.state.pid, started: result.started }));
    `;
    const run = () =>
      new Promise<{ pid: number; started: boolean }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk) => {
          out += chunk;
        });
        child.stderr.on('data', (chunk) => {
          err += chunk;
        });
        child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
      });
    const results = await Promise.all([run(), run(), run()]);
    assert.equal(new Set(results.map((result) => result.pid)).size, 1, 'one stack');
    assert.equal(results.filter((result) => result.started).length, 1, 'started once');
    assert.ok(alive(results[0]?.pid as number));
  });

  it('detects a stale state file left by a dead process and starts afresh', async () => {
    const cwd = tempCwd();
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout.trim());
    const state = {
      pid: deadPid,
      startedAt: new Date().toISOString(),
      ports: { kinesis: 1, dynamodb: 2, dynalite: 3, s3: 4, control: 5 },
      endpoints: {
        kinesis: 'http://127.0.0.1:1',
        dynamodb: 'http://127.0.0.1:2',
        s3: 'http://127.0.0.1:4',
        credentials: { accessKeyId: 'LKIA0', secretAccessKey: 'x' },
      },
      control: 'http://127.0.0.1:5',
      kinesisPersistent: true,
      handlerLoader: null,
    };
    writeStackState(cwd, state);
    const status = await localStackStatus(cwd);
    assert.equal(status.running, false);
    assert.equal(status.stale, true);
    assert.equal(status.pid, deadPid);
    assert.deepEqual(await stopLocalStack(cwd), { stopped: false, pid: deadPid, staleRemoved: true });
    assert.equal(existsSync(localPaths(cwd).stateFile), false);

    writeStackState(cwd, state);
    const started = await ensureLocalStack(cwd);
    assert.equal(started.started, true);
    assert.notEqual(started.state.pid, deadPid);
    assert.equal((await localStackStatus(cwd)).running, true);
  });

  it('a stack whose state folder is deleted stops by itself instead of lingering unreachable', async () => {
    const cwd = tempCwd();
    const { state } = await ensureLocalStack(cwd);
    rmSync(localPaths(cwd).root, { recursive: true, force: true });
    await waitFor(() => !alive(state.pid), 'the orphaned stack to exit', { timeoutMs: 20_000 });
  });
});
