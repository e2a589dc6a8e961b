/**
 * A full disk is an error the local stack survives (issue 24: ENOSPC killed the daemon). On a
 * small tmpfs filled to below the stack's reserve, the endpoints refuse writes as AWS throttles
 * them, the daemon stays up and says so, and a stream sent meanwhile is stored whole — nothing
 * lost, nothing doubled — once space returns. Needs root to mount the tmpfs (CI runs as root).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { bucketNames } from '../../../src/core/names.ts';
import { localAwsClients } from '../../../src/local/clients.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../../src/local/constants.ts';
import { localPaths } from '../../../src/local/paths.ts';
import { ensureLocalStack, localStackStatus } from '../../../src/local/stack.ts';
import { runCli } from '../../helpers/cli.ts';
import { removeStackFolder } from '../../helpers/stack-folder.ts';
import { waitUntil } from '../../helpers/wait.ts';

const MB = 1024 * 1024;
const RESERVE_MB = 48;
const EVENTS = 300;

/** A tmpfs of `sizeMb` mounted on a fresh folder, or why there cannot be one here. */
function mountTmpfs(sizeMb: number): { dir: string } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'mounting a small tmpfs needs root (CI runs as root)' };
  const dir = mkdtempSync(join(tmpdir(), 'stockpipe-disk-full-'));
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mount.status !== 0) {
    rmdirSync(dir);
    if (process.env.CI === 'true') throw new Error(`cannot mount a tmpfs: ${mount.stderr}`);
    return { skip: `cannot mount a tmpfs here: ${mount.stderr.trim()}` };
  }
  return { dir };
}

const mounted = mountTmpfs(256);
const mountPoint = 'dir' in mounted ? mounted.dir : '';

describe('a full disk', { skip: 'skip' in mounted ? mounted.skip : false }, () => {
  // The stack works in a folder on the tmpfs (removing it leaves the mount point); the ballast lies beside it.
  const cwd = join(mountPoint, 'stack');
  const ballast = join(mountPoint, 'ballast');
  let clients: ReturnType<typeof localAwsClients>;
  let pid = 0;
  let stackEndpoints: Parameters<typeof localAwsClients>[0];
  const free = () => {
    const stats = statfsSync(cwd);
    return stats.bavail * stats.bsize;
  };

  before(async () => {
    mkdirSync(cwd);
    const stack = await ensureLocalStack(cwd, { diskReserveMb: RESERVE_MB });
    pid = stack.state.pid;
    stackEndpoints = stack.endpoints;
    const setup = await runCli(['setup', '--target', 'local'], { cwd });
    assert.equal(setup.code, 0, setup.stderr);
    clients = localAwsClients(stack.endpoints);
  });
  after(async () => {
    await clients?.destroy();
    await removeStackFolder(cwd);
    // The stopped daemon's files close a moment later: until then the tmpfs is busy.
    await waitUntil(() => spawnSync('umount', [mountPoint]).status === 0 || 'busy', 'the tmpfs to unmount', {
      timeoutMs: 30_000,
    });
    rmdirSync(mountPoint);
  });

  it('is refused as AWS throttles, the stack stays up and says so; a stream sent meanwhile is stored whole', async () => {
    // Leave 24 MB: below the 48 MB reserve.
    writeFileSync(ballast, Buffer.alloc(Math.max(0, free() - 24 * MB)));
    await waitUntil(
      async () => (await localStackStatus(cwd)).daemon?.disk?.full === true || 'not full yet',
      'the stack to see the disk full',
    );
    const local = localAwsClients(stackEndpoints);
    try {
      const kinesis = await local.get('kinesis');
      await assert.rejects(
        kinesis.send(
          new PutRecordCommand({ StreamName: 'stockpipe-stream', PartitionKey: 'X', Data: Buffer.from('{}') }),
        ),
        { name: 'ProvisionedThroughputExceededException' },
      );
      const dynamodb = await local.get('dynamodb');
      await assert.rejects(
        dynamodb.send(
          new PutItemCommand({ TableName: 'stockpipe-quotes', Item: { symbol: { S: 'X' }, timestamp: { S: 't' } } }),
        ),
        { name: 'ProvisionedThroughputExceededException' },
      );
      const s3 = await local.get('s3');
      await assert.rejects(
        s3.send(
          new PutObjectCommand({
            Bucket: bucketNames('stockpipe', LOCAL_ACCOUNT, LOCAL_REGION).raw,
            Key: 'probe.json',
            Body: '{}',
          }),
        ),
        { name: 'SlowDown' },
      );
    } finally {
      await local.destroy();
    }
    const status = await runCli(['local', 'status'], { cwd });
    assert.match(status.stdout, /disk full: \d+ MB free, below the 48 MB reserve; writes are refused \(and retried\)/);

    // A stream started while the disk is full: its sends are throttled, then taken once space returns.
    const stream = runCli(
      [
        'stream',
        '--target',
        'local',
        '--source',
        'synthetic',
        '--symbol',
        'AAPL',
        '--count',
        String(EVENTS),
        '--interval',
        '0',
        '--json',
      ],
      { cwd },
    );
    setTimeout(() => rmSync(ballast, { force: true }), 1500);
    const sent = await stream;
    assert.equal(sent.code, 0, sent.stderr);
    const summary = JSON.parse(sent.stdout.trim().split('\n').at(-1) as string);
    assert.deepEqual([summary.sent, summary.failed, summary.not_sent], [EVENTS, 0, 0]);

    const documents = await clients.documentClient();
    const stored = async () =>
      ((await documents.send(new ScanCommand({ TableName: 'stockpipe-quotes' }))).Items ?? []).length;
    await waitUntil(async () => (await stored()) === EVENTS || `${await stored()} stored`, 'every event stored once');
    const after = await localStackStatus(cwd);
    assert.equal(after.pid, pid, 'the same daemon, still up');
    assert.equal(after.daemon?.disk?.full, false);
    const log = readFileSync(localPaths(cwd).daemonLog, 'utf8');
    assert.match(log, /disk full: \d+ MB free under .*; writes are refused/);
    assert.match(log, /disk space back: \d+ MB free; writes are accepted again/);
  });
});
