/**
 * Every command the CLI suggests in the local lifecycle runs exactly as printed: setup's "Next:"
 * (stream, status), then status's (query, tail), each pasted into a shell as a person would, with
 * `stockpipe` installed on PATH. A long-running one (stream, tail --follow) is stopped with Ctrl+C
 * once it has done its work, which the documented rule says ends with exit 0.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, it } from 'node:test';
import { waitFor } from '../../helpers/wait.ts';
import { BIN, finished, freshWorkdir, pipelineCounters } from './harness.ts';

const workdir = freshWorkdir('hints');
after(() => workdir.dispose());

// `stockpipe` on PATH, as after `npm i -g stockpipe`.
const shimDir = mkdtempSync(join(tmpdir(), 'stockpipe-shim-'));
const shim = join(shimDir, 'stockpipe');
writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
chmodSync(shim, 0o755);

/** A suggested command line, run by a shell in the work folder. */
function paste(commandLine: string): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', PATH: `${shimDir}${delimiter}${process.env.PATH}` };
  delete env.NODE_TEST_CONTEXT;
  delete env.npm_command;
  return spawn('sh', ['-c', `exec ${commandLine}`], { cwd: workdir.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

const suggested = (text: string) =>
  [...text.matchAll(/`((?:npx )?stockpipe [^`]+)`/g)].map((match) => match[1] as string);

async function runToEnd(commandLine: string) {
  const result = await finished(paste(commandLine));
  assert.equal(result.code, 0, `${commandLine}\n${result.stderr}${result.stdout}`);
  return `${result.stdout}${result.stderr}`;
}

/** Runs until `done` holds, then Ctrl+C; a command that finished its work cleanly exits 0. */
async function runThenInterrupt(commandLine: string, done: (output: string) => Promise<boolean> | boolean) {
  const child = paste(commandLine);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = finished(child);
  await waitFor(() => done(output), `${commandLine} to do its work`);
  child.kill('SIGINT');
  const result = await exited;
  assert.equal(result.code, 0, `${commandLine} after Ctrl+C\n${output}`);
  return output;
}

it('every hint of setup → stream → status → query → tail runs as printed', async () => {
  const setup = await runToEnd('stockpipe setup --target local --name hints --yes');
  const [feed, check, ...rest] = suggested(setup);
  assert.deepEqual(rest, []);
  assert.equal(feed, 'stockpipe stream --source synthetic --symbol AAPL --name hints --target local');
  assert.equal(check, 'stockpipe status --name hints --target local');

  await runThenInterrupt(
    feed as string,
    async () => ((await pipelineCounters(workdir.cwd, 'hints')).ingest?.recordsSucceeded ?? 0) >= 3,
  );

  const status = await runToEnd(check as string);
  const next = suggested(status);
  assert.deepEqual(next, [
    'stockpipe query latest --name hints --target local',
    'stockpipe tail --follow --name hints --target local',
  ]);
  const latest = await runToEnd(next[0] as string);
  assert.match(latest, /AAPL/);
  const tail = await runThenInterrupt(next[1] as string, (output) => /ingest/.test(output));
  assert.match(tail, /ingest/);

  await runToEnd('stockpipe alerts --name hints --target local');
  await runToEnd('stockpipe cleanup --name hints --target local --yes');
});
