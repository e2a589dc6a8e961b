import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LambdaHost } from '../../../src/local/runner/lambda-host.ts';
import { waitFor } from '../../helpers/wait.ts';

// A handler loader as the packaging code provides it: loadLambdaHandler(fn) → handler.
const LOADER = `
export async function loadLambdaHandler(kind) {
  const mode = process.env.MODE;
  if (mode === 'broken') throw new Error('cannot import index.mjs');
  return async (event, context) => {
    console.log(JSON.stringify({ level: 'INFO', message: 'batch', kind, size: event.Records.length, requestId: context.awsRequestId, table: process.env.QUOTES_TABLE }));
    console.log('plain text line');
    if (event.Records.some((r) => r.fail)) throw new TypeError('record says fail');
    if (event.Records.some((r) => r.hog)) {
      const kept = [];
      for (;;) kept.push(new Array(1e6).fill(kept.length));
    }
    if (event.Records.some((r) => r.hang)) await new Promise(() => setInterval(() => {}, 1000));
    if (event.Records.some((r) => r.slow)) {
      globalThis.active = (globalThis.active ?? 0) + 1;
      const overlapped = globalThis.active > 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
      globalThis.active -= 1;
      return { overlapped, sandbox: globalThis.sandboxId ??= Math.random() };
    }
    return { batchItemFailures: [], remaining: context.getRemainingTimeInMillis() > 0, fn: context.functionName };
  };
}
`;

describe('local Lambda host (worker-thread sandbox)', () => {
  let dir: string;
  let loader: string;
  const hosts: LambdaHost[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stockpipe-host-'));
    loader = join(dir, 'loader.mjs');
    writeFileSync(loader, LOADER);
  });
  after(async () => {
    await Promise.all(hosts.map((host) => host.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  function host(mode: string, timeoutMs = 10_000, asPath = false) {
    const created = new LambdaHost({
      functionName: `p-${mode}`,
      kind: 'ingest',
      loaderModule: asPath ? loader : pathToFileURL(loader).href,
      env: { MODE: mode, QUOTES_TABLE: 'p-quotes' },
      logFile: join(dir, 'logs', `p-${mode}.log`),
      timeoutMs,
    });
    hosts.push(created);
    return created;
  }

  async function logLines(file: string, count: number): Promise<Record<string, unknown>[]> {
    const lines: string[] = await waitFor(() => {
      const written = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
      return written.length >= count ? written : undefined;
    }, `${count} lines in ${file}`);
    return lines.map((line) => JSON.parse(line));
  }

  it('invokes with the function environment and a Lambda context; logs go to the file as JSON lines', async () => {
    const fn = host('ok');
    const outcome = await fn.invoke({ Records: [{}, {}] });
    assert.deepEqual(outcome, { ok: true, response: { batchItemFailures: [], remaining: true, fn: 'p-ok' } });
    const lines = await logLines(join(dir, 'logs', 'p-ok.log'), 4);
    const handlerLine = lines.find((line) => line.message === 'batch');
    assert.equal(handlerLine?.table, 'p-quotes', 'the function sees its own environment');
    assert.equal(handlerLine?.size, 2);
    const plain = lines.find((line) => line.message === 'plain text line');
    assert.equal(plain?.level, 'INFO');
    assert.equal(typeof plain?.timestamp, 'string');
    assert.ok(lines.some((line) => line.type === 'platform.start'));
    assert.ok(lines.some((line) => line.type === 'platform.report'));
    assert.equal(process.env.QUOTES_TABLE, undefined, 'the daemon’s own environment is untouched');
  });

  it('a thrown error is a function error, logged like the Node.js runtime does', async () => {
    const fn = host('throws');
    const outcome = await fn.invoke({ Records: [{ fail: true }] });
    assert.deepEqual(outcome, { ok: false, error: { errorType: 'TypeError', errorMessage: 'record says fail' } });
    const lines = await logLines(join(dir, 'logs', 'p-throws.log'), 5);
    const error = lines.find((line) => line.message === 'Invoke Error');
    assert.equal(error?.level, 'ERROR');
    assert.equal(error?.errorType, 'TypeError');
    // The sandbox survives a handled error.
    assert.equal((await fn.invoke({ Records: [] })).ok, true);
  });

  it('a timeout is a function error and the next invocation gets a fresh sandbox', async () => {
    const fn = host('hang', 300);
    const outcome = await fn.invoke({ Records: [{ hang: true }] });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.ok ? '' : outcome.error.errorType, 'Sandbox.Timedout');
    assert.equal((await fn.invoke({ Records: [{}] })).ok, true);
  });

  it('a handler that outgrows its heap dies like a Lambda out of memory; the next invocation gets a fresh sandbox', async () => {
    const fn = host('hog');
    const outcome = await fn.invoke({ Records: [{ hog: true }] });
    assert.equal(outcome.ok ? '' : outcome.error.errorType, 'Runtime.OutOfMemory');
    assert.equal((await fn.invoke({ Records: [{}] })).ok, true);
  });

  it('concurrent invocations run in separate sandboxes, never interleaved in one', async () => {
    const fn = host('concurrent');
    await fn.load();
    const outcomes = await Promise.all([1, 2, 3].map(() => fn.invoke({ Records: [{ slow: true }] })));
    const responses = outcomes.map((outcome) =>
      outcome.ok ? (outcome.response as { overlapped: boolean; sandbox: number }) : undefined,
    );
    assert.ok(responses.every((response) => response && response.overlapped === false));
    assert.equal(new Set(responses.map((response) => response?.sandbox)).size, 3);
    assert.equal(fn.sandboxes, 3);
    // Idle sandboxes are reused (warm starts).
    const again = await fn.invoke({ Records: [{ slow: true }] });
    assert.ok(
      again.ok && responses.some((response) => response?.sandbox === (again.response as { sandbox: number }).sandbox),
    );
  });

  it('accepts the loader as a plain file path too', async () => {
    assert.equal((await host('path', 10_000, true).invoke({ Records: [] })).ok, true);
  });

  it('a handler that fails to load rejects load() with an import error', async () => {
    const fn = host('broken');
    await assert.rejects(fn.load(), (error: { errorType: string; errorMessage: string }) => {
      assert.equal(error.errorType, 'Runtime.ImportModuleError');
      assert.match(error.errorMessage, /cannot import/);
      return true;
    });
  });
});
