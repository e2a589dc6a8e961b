import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { localPaths } from '../../../src/local/paths.ts';
import { ensureLocalStack, stopLocalStack } from '../../../src/local/stack.ts';
import { readStackState } from '../../../src/local/state.ts';
import { removeStackFolder } from '../../helpers/stack-folder.ts';

// Issue 16: with the start lock held by the starting CLI, killing it right after it spawned the
// daemon let a rerun spawn a second daemon on the same stores. The daemon now holds its own lock.
const DAEMON_MAIN = fileURLToPath(new URL('../../../src/local/daemon/main.ts', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-daemon-lock-'));
after(() => removeStackFolder(cwd));

describe('one daemon per folder', () => {
  it('a second daemon on the same folder exits at once, leaving the first serving', async () => {
    const first = await ensureLocalStack(cwd, { kinesisInMemory: true });
    const log = join(cwd, 'second.log');
    const out = openSync(log, 'a');
    const second = spawn(process.execPath, [DAEMON_MAIN, '--cwd', cwd, '--kinesis-in-memory'], {
      stdio: ['ignore', out, out],
    });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(readFileSync(log, 'utf8'), new RegExp(`another local stack \\(process ${first.state.pid}\\)`));
    assert.equal(readStackState(cwd)?.pid, first.state.pid, 'the first daemon still owns the state file');
    const again = await ensureLocalStack(cwd, { kinesisInMemory: true });
    assert.equal(again.started, false);
    assert.equal(again.state.pid, first.state.pid);
    await stopLocalStack(cwd);
    assert.equal(readStackState(cwd), undefined);
    assert.throws(() => readFileSync(localPaths(cwd).daemonLockFile), /ENOENT/, 'the lock goes with the daemon');
  });
});
