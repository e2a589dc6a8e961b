import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ReopeningLog } from '../../../src/local/runner/reopening-log.ts';
import { waitFor } from '../../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'stockpipe-reopen-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const WAIT = { timeoutMs: 5000, intervalMs: 10 };

describe('handler log files (issue 16: deleting logs/ silenced handler logs until a restart)', () => {
  it('come back, folder and all, when deleted while the stack runs', async () => {
    let now = 0;
    const file = join(dir, 'logs', 'fn.log');
    const log = new ReopeningLog(file, () => now);
    log.write('one\n');
    // A line on disk means the stream has opened the file, so the log knows the file's inode.
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8') === 'one\n', 'the first line', WAIT);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    rmSync(join(dir, 'logs'), { recursive: true, force: true });
    now += 1000;
    log.write('two\n');
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8') === 'two\n', 'the log recreated', WAIT);
    await new Promise<void>((resolve) => log.close(resolve));
  });
});
