import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { BUNDLED_HANDLER_LOADER } from '../../../src/local/bundled-handlers.ts';
import { LambdaHost } from '../../../src/local/runner/lambda-host.ts';
import { LAMBDA_DEFINITIONS } from '../../../src/packaging/lambda-definition.ts';
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
    // console output is a JSON record per call, as the runtime writes it under the JSON log format.
    const logged = lines.filter((line) => line.type === undefined);
    for (const line of logged) {
      assert.deepEqual(Object.keys(line), ['timestamp', 'level', 'requestId', 'message']);
    }
    const handlerLine = logged
      .filter((line) => String(line.message).startsWith('{'))
      .map((line) => JSON.parse(String(line.message)))
      .find((inner) => inner.message === 'batch');
    assert.equal(handlerLine?.table, 'p-quotes', 'the function sees its own environment');
    assert.equal(handlerLine?.size, 2);
    const plain = logged.find((line) => line.message === 'plain text line');
    assert.equal(plain?.level, 'INFO');
    assert.equal(plain?.requestId, handlerLine?.requestId, 'each record names its invocation');
    const start = lines.find((line) => line.type === 'platform.start');
    const report = lines.find((line) => line.type === 'platform.report');
    assert.deepEqual(start?.record, { requestId: handlerLine?.requestId, version: '$LATEST' });
    const metrics = (report?.record as { metrics: Record<string, number> } | undefined)?.metrics ?? {};
    assert.equal(metrics.memorySizeMB, 512, 'ingest runs at the memory setup deploys');
    assert.equal(typeof metrics.initDurationMs, 'number', 'a cold start reports its init');
    assert.equal(process.env.QUOTES_TABLE, undefined, 'the daemon’s own environment is untouched');
  });

  it('a thrown error is a function error, logged like the Node.js runtime does', async () => {
    const fn = host('throws');
    const outcome = await fn.invoke({ Records: [{ fail: true }] });
    assert.deepEqual(outcome, { ok: false, error: { errorType: 'TypeError', errorMessage: 'record says fail' } });
    const lines = await logLines(join(dir, 'logs', 'p-throws.log'), 5);
    // Under the JSON log format the runtime logs the error alone as the record's message.
    const error = lines.find((line) => (line.message as { errorType?: string } | undefined)?.errorType);
    assert.equal(error?.level, 'ERROR');
    assert.equal(typeof error?.requestId, 'string');
    const logged = (error?.message ?? {}) as { errorType?: string; errorMessage?: string };
    assert.deepEqual(Object.keys(logged).slice(0, 3), ['errorType', 'errorMessage', 'stackTrace']);
    assert.equal(logged.errorType, 'TypeError');
    assert.equal(logged.errorMessage, 'record says fail');
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

  describe('a task root loaded the way the Node.js runtime loads it', () => {
    // Hands the runner a folder, as the bundled loader does with the unpacked zip.
    const TASK_ROOT_LOADER = 'export async function lambdaTaskRoot() { return process.env.TASK_ROOT; }';

    function taskRootHost(name: string, files: Record<string, string>, handler = 'index.handler') {
      const taskRoot = join(dir, `task-${name}`);
      for (const [file, content] of Object.entries(files)) {
        mkdirSync(dirname(join(taskRoot, file)), { recursive: true });
        writeFileSync(join(taskRoot, file), content);
      }
      const taskRootLoader = join(dir, 'task-root-loader.mjs');
      writeFileSync(taskRootLoader, TASK_ROOT_LOADER);
      const created = new LambdaHost({
        functionName: `p-${name}`,
        kind: 'ingest',
        definition: { ...LAMBDA_DEFINITIONS.ingest, handler },
        loaderModule: pathToFileURL(taskRootLoader).href,
        env: { TASK_ROOT: taskRoot },
        logFile: join(dir, 'logs', `p-${name}.log`),
      });
      hosts.push(created);
      return created;
    }

    async function failure(fn: LambdaHost): Promise<{ errorType: string; errorMessage: string }> {
      const outcome = await fn.invoke({ Records: [] });
      assert.equal(outcome.ok, false);
      return outcome.ok ? { errorType: '', errorMessage: '' } : outcome.error;
    }

    it('sets the variables Lambda sets, and the Handler picks file and export', async () => {
      const fn = taskRootHost(
        'env',
        {
          'app/main.mjs': `export const api = { run: async () => Object.fromEntries(
            ['AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_NAME',
             'AWS_EXECUTION_ENV', '_HANDLER', 'LAMBDA_TASK_ROOT', 'AWS_LAMBDA_LOG_FORMAT', 'AWS_LAMBDA_LOG_GROUP_NAME', 'TZ']
            .map((key) => [key, process.env[key]])) };`,
        },
        'app/main.api.run',
      );
      const outcome = await fn.invoke({});
      assert.deepEqual(outcome, {
        ok: true,
        response: {
          AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
          AWS_LAMBDA_FUNCTION_NAME: 'p-env',
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
          _HANDLER: 'app/main.api.run',
          LAMBDA_TASK_ROOT: join(dir, 'task-env'),
          AWS_LAMBDA_LOG_FORMAT: 'JSON',
          AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/p-env',
          TZ: ':UTC',
        },
      });
    });

    it('a Handler naming an export the file lacks fails with Runtime.HandlerNotFound', async () => {
      const fn = taskRootHost('no-export', { 'index.mjs': 'export const other = async () => 1;' });
      assert.deepEqual(await failure(fn), {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.handler is undefined or not exported',
      });
    });

    it('a Handler naming a file the zip lacks fails with Runtime.ImportModuleError', async () => {
      const fn = taskRootHost('no-file', { 'index.mjs': 'export const handler = async () => 1;' }, 'main.handler');
      const error = await failure(fn);
      assert.equal(error.errorType, 'Runtime.ImportModuleError');
      assert.match(error.errorMessage, /Cannot find module 'main'/);
    });

    it('a Handler without a dot, or with .., fails with Runtime.MalformedHandlerName', async () => {
      const files = { 'index.mjs': 'export const handler = async () => 1;' };
      assert.equal((await failure(taskRootHost('no-dot', files, 'index'))).errorType, 'Runtime.MalformedHandlerName');
      assert.equal(
        (await failure(taskRootHost('dots', files, '../index.handler'))).errorType,
        'Runtime.MalformedHandlerName',
      );
    });

    it('code importing a package it does not carry fails offline as on AWS, though the project has it', async () => {
      // @aws-sdk/client-dynamodb is in stockpipe's node_modules, but not in the task root.
      const fn = taskRootHost('missing-import', {
        'index.mjs':
          "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const handler = async () => String(DynamoDBClient);",
      });
      const error = await failure(fn);
      assert.equal(error.errorType, 'Runtime.ImportModuleError');
      assert.match(error.errorMessage, /Cannot find package '@aws-sdk\/client-dynamodb'/);
    });

    it('code that does not parse fails with Runtime.UserCodeSyntaxError', async () => {
      const fn = taskRootHost('syntax', { 'index.mjs': 'export const handler = async () => {' });
      assert.equal((await failure(fn)).errorType, 'Runtime.UserCodeSyntaxError');
    });

    it('the built zip, with the Handler setup deploys, loads; a wrong Handler does not', async () => {
      const good = new LambdaHost({
        functionName: 'p-zip',
        kind: 'trends',
        loaderModule: BUNDLED_HANDLER_LOADER,
        env: { AWS_REGION: 'us-east-1' },
        logFile: join(dir, 'logs', 'p-zip.log'),
      });
      const wrong = new LambdaHost({
        functionName: 'p-zip-wrong',
        kind: 'trends',
        definition: { ...LAMBDA_DEFINITIONS.trends, handler: 'index.handle' },
        loaderModule: BUNDLED_HANDLER_LOADER,
        env: { AWS_REGION: 'us-east-1' },
        logFile: join(dir, 'logs', 'p-zip-wrong.log'),
      });
      hosts.push(good, wrong);
      await good.load();
      // Loaded: the invocation reaches the handler, which reports its missing settings.
      assert.match((await failure(good)).errorMessage, /QUOTES_TABLE is not set/);
      assert.deepEqual(await failure(wrong), {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.handle is undefined or not exported',
      });
      // Powertools sees a cold start on the first invocation of a sandbox (AWS_LAMBDA_INITIALIZATION_TYPE).
      const lines = await logLines(join(dir, 'logs', 'p-zip.log'), 3);
      const powertools = lines.find((line) => line.service === 'stockpipe-trends');
      assert.equal(powertools?.cold_start, true);
      assert.equal(powertools?.function_memory_size, '256');
    });
  });
});
