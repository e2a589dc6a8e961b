import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isProcessAlive } from '../../../src/local/files.ts';
import { waitUntil } from '../../helpers/wait.ts';

describe('isProcessAlive', () => {
  it('a running process is alive, and a killed one is not even while unreaped (a zombie)', {
    skip: existsSync('/proc/self/stat') ? false : 'needs /proc to see a zombie',
  }, async () => {
    // sh starts `sleep` in the background, prints its pid, then becomes a second `sleep` that never
    // waits for its children: once killed, the first stays a zombie — as a daemon killed with -9
    // does while the `stream` that started it runs on.
    const parent = spawn('sh', ['-c', 'sleep 60 & echo $!; exec sleep 61'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = await new Promise<number>((resolve) =>
        parent.stdout.once('data', (chunk) => resolve(Number(String(chunk)))),
      );
      assert.equal(isProcessAlive(pid), true);
      process.kill(pid, 'SIGKILL');
      await waitUntil(
        () => readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ') || 'not a zombie yet',
        'the zombie',
      );
      assert.equal(isProcessAlive(pid), false);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('a pid that does not exist is not alive', () => {
    assert.equal(isProcessAlive(2 ** 22 + 12345), false);
  });
});
