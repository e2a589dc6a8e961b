#!/usr/bin/env node
// Runs the whole suite with Node's own test runner; TypeScript test files run through Node's
// type stripping, so no transpiler is involved. Usage: npm test [-- <path or glob> …]
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`error: the tests need Node.js ≥ 22.18 (type stripping); this is ${process.version}`);
  process.exit(1);
}

const patterns = process.argv.slice(2);
const files = globSync(patterns.length > 0 ? patterns : ['test/**/*.test.ts']).sort();
if (files.length === 0) {
  console.error(`error: no test files match ${patterns.join(' ') || 'test/**/*.test.ts'}`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=300000', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, STOCKPIPE_TEST: '1' } },
);
process.exit(result.status ?? 1);
