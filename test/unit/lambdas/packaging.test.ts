import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { globSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { packageLambda } from '../../../src/packaging/build-lambdas.ts';
import { deterministicZip } from '../../../src/packaging/deterministic-zip.ts';
import {
  codeSha256,
  LAMBDA_ENTRY_FILE,
  LAMBDA_FUNCTIONS,
  lambdaZipPath,
  readLambdaZip,
} from '../../../src/packaging/lambda-zip.ts';
import { nodeModulesAbove, unpackLambda } from '../../../src/packaging/load-lambda.ts';
import { unzip } from '../../../src/packaging/unzip.ts';

/** What a zip may import: Node's built-ins, nothing from the runtime's SDK or anywhere else. */
const NODE_BUILTIN = /^node:[a-z_/]+$/;

describe('Lambda packaging', () => {
  it('handlers import only src/core, each other, the AWS SDK, Powertools and Node', () => {
    const allowed =
      /^(\.\.\/\.\.\/src\/core\/|\.\.\/shared\/|\.\/|@aws-sdk\/|@aws-lambda-powertools\/|node:|aws-lambda$)/;
    const files = globSync('lambdas/**/*.ts');
    assert.ok(files.length >= 8);
    for (const file of files) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
        assert.match(specifier as string, allowed, `${file} imports ${specifier}`);
      }
    }
  });

  it('the same entries give the same zip bytes, whatever the order they are given in', async () => {
    const entries = [
      { name: 'index.mjs', content: 'export const handler = async () => 1;' },
      { name: 'lib/a.mjs', content: 'export const a = 1;' },
    ];
    const first = await deterministicZip(entries);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a second later: dates must not leak in
    const second = await deterministicZip([...entries].reverse());
    assert.equal(codeSha256(first), codeSha256(second));
    assert.deepEqual(
      unzip(first).map((entry) => entry.name),
      ['index.mjs', 'lib/a.mjs'],
    );
  });

  it('unzip reads back what the zip writer wrote (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}(\/[a-z]{1,8})?\.(mjs|json)$/), { minLength: 1, maxLength: 5 }),
        fc.array(fc.uint8Array({ maxLength: 3000 }), { minLength: 5, maxLength: 5 }),
        async (names, contents) => {
          const entries = names.map((name, i) => ({ name, content: contents[i] as Uint8Array }));
          const read = unzip(await deterministicZip(entries));
          const expected = [...entries].sort((a, b) => (a.name < b.name ? -1 : 1));
          assert.deepEqual(
            read.map((entry) => [entry.name, Buffer.from(entry.content).toString('hex')]),
            expected.map((entry) => [entry.name, Buffer.from(entry.content).toString('hex')]),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  for (const fn of LAMBDA_FUNCTIONS) {
    it(`${fn}: building twice gives the bytes (and CodeSha256) of dist/lambdas/${fn}.zip`, async () => {
      const [once, twice] = [await packageLambda(fn), await packageLambda(fn)];
      assert.equal(codeSha256(once.zip), codeSha256(twice.zip));
      const built = await readLambdaZip(fn);
      assert.equal(built.sha256, codeSha256(once.zip), 'npm run build wrote the same bytes');
      assert.ok(built.bytes.byteLength <= 500 * 1024, `${fn}.zip is ${built.bytes.byteLength} bytes`);
      const entries = unzip(built.bytes);
      assert.deepEqual(
        entries.map((entry) => entry.name),
        [LAMBDA_ENTRY_FILE],
      );
      assert.ok(once.imports.length > 0, 'the metafile lists what the bundle imports');
      for (const imported of once.imports) assert.match(imported, NODE_BUILTIN);
      assert.ok(!entries[0]?.content.toString('utf8').includes(process.cwd()), 'no build paths in the bundle');
    });

    it(`${fn}: the bundle loads with nothing but AWS_REGION and fails at invocation with a clear message`, async () => {
      const entry = join(await unpackLambda(readFileSync(lambdaZipPath(fn))), LAMBDA_ENTRY_FILE);
      const script = `
        const { handler } = await import(${JSON.stringify(entry)});
        if (typeof handler !== 'function') process.exit(3);
        try { await handler({ Records: [] }); process.exit(4); }
        catch (error) { console.log('FAILED: ' + error.message); }`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' },
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /FAILED: invalid handler configuration: QUOTES_TABLE is not set/);
      // The Powertools logger said it as one structured line.
      const logged = result.stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line));
      assert.equal(logged[0]?.level, 'ERROR');
      assert.match(logged[0]?.message, /QUOTES_TABLE is not set/);
    });
  }

  it('unpacks where no node_modules folder is above the code, and refuses a folder below one', async () => {
    const taskRoot = await unpackLambda(readFileSync(lambdaZipPath('trends')));
    assert.equal(nodeModulesAbove(taskRoot), undefined, taskRoot);
    await assert.rejects(
      unpackLambda(readFileSync(lambdaZipPath('trends')), join(process.cwd(), 'node_modules', '.cache', 'x')),
      /Node would resolve its imports from .*node_modules/,
    );
  });

  it('unpacks once per content hash into the given cache folder', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'stockpipe-unpack-'));
    try {
      const bytes = readFileSync(lambdaZipPath('ingest'));
      const first = await unpackLambda(bytes, cache);
      const second = await unpackLambda(bytes, cache);
      assert.equal(first, second);
      assert.ok(first.startsWith(cache));
      // The task root holds what the zip holds, nothing more.
      assert.deepEqual(readdirSync(first), [LAMBDA_ENTRY_FILE]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
