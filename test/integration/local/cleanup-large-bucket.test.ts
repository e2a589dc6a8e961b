/**
 * `cleanup --target local` empties a raw lake of more than 1000 objects (one listing page).
 * Regression: the bucket was listed with ListObjectsV2, whose continuation token s3rver makes
 * with DES — absent from OpenSSL 3 — so any truncated listing failed with a 500 and cleanup
 * stopped with the bucket left behind (e.g. after replaying four years of daily bars).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { localAwsClients } from '../../../src/local/clients.ts';
import { localPaths } from '../../../src/local/paths.ts';
import { stopLocalStack } from '../../../src/local/stack.ts';
import { readStackState } from '../../../src/local/state.ts';
import { runCli } from '../../helpers/cli.ts';

const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-cleanup-large-'));
after(async () => {
  await stopLocalStack(cwd, { timeoutMs: 10_000 }).catch(() => undefined);
  rmSync(cwd, { recursive: true, force: true });
});

it('cleanup --target local deletes a raw bucket holding more than 1000 objects', async () => {
  const setup = await runCli(['setup', '--target', 'local', '--yes'], { cwd });
  assert.equal(setup.code, 0, setup.stderr);
  const state = readStackState(cwd);
  assert.ok(state, 'the local stack runs after setup');
  const s3 = await localAwsClients(state.endpoints).get('s3');
  const bucket = readdirSync(localPaths(cwd).s3Dir).find((name) => name.startsWith('stockpipe-raw-'));
  assert.ok(bucket, 'setup created the raw bucket');
  const keys = Array.from({ length: 1010 }, (_, i) => `raw/dt=2020-01-01/object-${String(i).padStart(4, '0')}.json.gz`);
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(
      keys.slice(i, i + 50).map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: '{}' }))),
    );
  }

  const cleanup = await runCli(['cleanup', '--target', 'local', '--yes'], { cwd });
  assert.equal(cleanup.code, 0, cleanup.stderr);
  assert.match(cleanup.stderr + cleanup.stdout, /Local stack stopped/);
  assert.equal(existsSync(join(localPaths(cwd).s3Dir, bucket)), false, 'the bucket folder is gone');
});
