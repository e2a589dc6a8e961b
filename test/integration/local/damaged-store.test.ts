import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { leveldownLoads } from '../../../src/local/daemon/emulators.ts';
import { localPaths } from '../../../src/local/paths.ts';
import { ensureLocalStack, stopLocalStack } from '../../../src/local/stack.ts';
import { readStackState } from '../../../src/local/state.ts';
import { runCli } from '../../helpers/cli.ts';

// Issue 16: garbage in a store's CURRENT made `local start` print "started" and exit 0 while the
// daemon died, every command then said "check your network", and only rm -rf got out.
const cwds: string[] = [];
after(async () => {
  for (const cwd of cwds) {
    await stopLocalStack(cwd, { timeoutMs: 10_000 }).catch(() => undefined);
    rmSync(cwd, { recursive: true, force: true });
  }
});

for (const store of ['dynamodb', 'kinesis'] as const) {
  describe(`a damaged ${store} store`, {
    skip: store === 'kinesis' && !leveldownLoads() && 'kinesis runs in memory here',
  }, () => {
    it('is named when the stack starts, with the way out, which works', async () => {
      const cwd = mkdtempSync(join(tmpdir(), `stockpipe-damaged-${store}-`));
      cwds.push(cwd);
      await ensureLocalStack(cwd);
      await stopLocalStack(cwd);
      const paths = localPaths(cwd);
      writeFileSync(join(store === 'kinesis' ? paths.kinesisDir : paths.dynamodbDir, 'CURRENT'), 'garbage\n');

      const start = await runCli(['local', 'start'], { cwd });
      assert.equal(start.code, 1, start.stdout);
      assert.match(start.stderr, new RegExp(`^error: the local stack did not start: ${store} store is damaged \\(`));
      assert.match(start.stderr, /`npx stockpipe local reset` deletes the local stack's data/);
      assert.equal(readStackState(cwd), undefined, 'no stack claims to be up');

      const refused = await runCli(['local', 'reset'], { cwd });
      assert.equal(refused.code, 2);
      assert.ok(existsSync(paths.root), 'nothing deleted without --yes');
      const reset = await runCli(['local', 'reset', '--yes'], { cwd });
      assert.equal(reset.code, 0, reset.stderr);
      assert.match(reset.stdout, /deleted \.stockpipe\/local: the local stack is stopped and nothing of it was kept/);
      assert.equal(existsSync(paths.root), false);
      const again = await ensureLocalStack(cwd);
      assert.equal(again.started, true);
    });
  });
}
