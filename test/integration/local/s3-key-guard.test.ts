import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startLocalEmulators } from '../../../src/local/daemon/emulators.ts';
import { escapesFolder } from '../../../src/local/daemon/s3-key-guard.ts';
import { localPaths } from '../../../src/local/paths.ts';

// Issue 16: PutObject with key ../../../../ESCAPED on the local S3 endpoint created a file
// outside the state folder.
const base = mkdtempSync(join(tmpdir(), 'stockpipe-s3guard-'));
const cwd = join(base, 'a', 'b', 'c');
mkdirSync(cwd, { recursive: true });
after(() => rmSync(base, { recursive: true, force: true }));

/** A raw request: the path goes on the wire as written (no client normalises the dots away). */
function send(port: number, method: string, path: string, body = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end(body);
  });
}

describe('the local S3 endpoint', () => {
  it('refuses keys with .. segments before they reach the file system', async () => {
    const emulators = await startLocalEmulators(localPaths(cwd), { kinesisInMemory: true });
    try {
      const port = emulators.ports.s3;
      assert.equal(await send(port, 'PUT', '/bucket'), 200);
      assert.equal(await send(port, 'PUT', '/bucket/raw/ok.txt', 'fine'), 200);
      const escapes = [
        '/bucket/../../../../../../ESCAPED',
        '/bucket/..%2F..%2F..%2F..%2F..%2F..%2FESCAPED',
        '/bucket/raw/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/ESCAPED',
      ];
      for (const path of escapes) assert.equal(await send(port, 'PUT', path, 'x'), 400, path);
      for (const dir of [base, join(base, 'a'), join(base, 'a', 'b'), cwd, join(cwd, '.stockpipe')]) {
        assert.equal(existsSync(join(dir, 'ESCAPED')), false, `nothing written in ${dir}`);
      }
    } finally {
      await emulators.close();
    }
  });

  it('tells escaping paths from ordinary keys', () => {
    assert.equal(escapesFolder('/b/raw/dt=2026-01-01/shard-1.json.gz'), false);
    assert.equal(escapesFolder('/b/a..b/c'), false);
    assert.equal(escapesFolder('/b/../x'), true);
    assert.equal(escapesFolder('/b/%2e%2e/x'), true);
    assert.equal(escapesFolder('/b/%E0%A4%A'), true);
  });
});
