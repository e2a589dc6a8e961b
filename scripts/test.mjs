#!/usr/bin/env node
// Runs the whole suite with Node's own test runner; TypeScript test files run through Node's
// type stripping, so no transpiler is involved. Usage: npm test [-- <path or glob> …]
import './check-node.mjs'; // first: on an older Node, one line and exit 1
import { spawnSync } from 'node:child_process';
import fs from 'node:fs'; // not `{ globSync }`: that import alone would fail on Node 20 before the check

ensureMoto();

const patterns = process.argv.slice(2);
const files = fs.globSync(patterns.length > 0 ? patterns : ['test/**/*.test.ts']).sort();
if (files.length === 0) {
  console.error(`error: no test files match ${patterns.join(' ') || 'test/**/*.test.ts'}`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=300000', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);

/**
 * The conformance suite needs moto. When neither STOCKPIPE_MOTO_SERVER nor .venv has it and
 * python3 exists, install it into .venv once (about a minute), so `npm ci && npm test` works on a
 * fresh machine. Without python3 the conformance tests skip and say why.
 */
function ensureMoto() {
  if (process.env.STOCKPIPE_MOTO_SERVER || fs.existsSync('.venv/bin/moto_server')) return;
  const python = spawnSync('python3', ['--version'], { stdio: 'ignore' });
  if (python.status !== 0) return;
  console.error(
    'test: installing moto (test/conformance/requirements.txt) into .venv for the conformance suite (once)…',
  );
  const venv = spawnSync('python3', ['-m', 'venv', '.venv'], { stdio: 'inherit' });
  const pip =
    venv.status === 0
      ? spawnSync('.venv/bin/pip', ['install', '--quiet', '-r', 'test/conformance/requirements.txt'], {
          stdio: 'inherit',
        })
      : undefined;
  if (pip?.status !== 0) console.error('test: could not install moto; the conformance tests will be skipped');
}
