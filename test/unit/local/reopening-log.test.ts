import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ReopeningLog } from '../../../src/local/runner/reopening-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'stockpipe-reopen-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('handler log files (issue 16: deleting logs/ silenced handler logs until a restart)', () => {
  it('come back, folder and all, when deleted while the stack runs', async () => {
    let now = 0;
    const file = join(dir, 'logs', 'fn.log');
    const log = new ReopeningLog(file, () => now);
    log.write('one\n');
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8') === 'one\n', 'the first line');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the stream's open event
    rmSync(join(dir, 'logs'), { recursive: true, force: true });
    now += 1000;
    log.write('two\n');
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8') === 'two\n', 'the log recreated');
    await new Promise<void>((resolve) => log.close(resolve));
  });
});
