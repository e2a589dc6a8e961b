/**
 * The teardown of a test folder where the local stack ran: stop the stack (whatever state the
 * test left), kill a daemon that will not stop, remove the folder.
 */
import { rmSync } from 'node:fs';
import { stopLocalStack } from '../../src/local/stack.ts';
import { readStackState } from '../../src/local/state.ts';

export async function removeStackFolder(cwd: string): Promise<void> {
  const pid = readStackState(cwd)?.pid;
  await stopLocalStack(cwd, { timeoutMs: 10_000 }).catch(() => undefined);
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already stopped
    }
  }
  rmSync(cwd, { recursive: true, force: true });
}
