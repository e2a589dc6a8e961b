/**
 * Shared by the end-to-end tests: the real CLI as a child process (bin/stockpipe.js over the
 * built dist/, as a user runs it), a fresh working folder per test (the local state lives in
 * <cwd>/.stockpipe/local), waiting for the local pipeline to drain, and a teardown that leaves
 * no daemon behind even when a test fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalPipelineStatus, localStackStatus } from '../../../src/local/stack.ts';
import { removeStackFolder } from '../../helpers/stack-folder.ts';
import { waitUntil } from '../../helpers/wait.ts';

export { waitUntil };

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The end-to-end tests run the CLI installed in a folder whose name has a space and a non-ASCII
 * letter, and work in such folders too: paths derived from module URLs must survive both
 * (`new URL(…).pathname` would give '…/with%20space/…'). The install is a copy of bin/, dist/ and
 * package.json with node_modules linked, made once per test file and removed when it ends.
 */
export const ODD_FOLDER_NAME = 'stockpipe e2e ü';
const INSTALL = mkdtempSync(join(tmpdir(), `${ODD_FOLDER_NAME} install-`));
for (const entry of ['bin', 'dist', 'package.json']) {
  cpSync(join(REPO_ROOT, entry), join(INSTALL, entry), { recursive: true });
}
symlinkSync(join(REPO_ROOT, 'node_modules'), join(INSTALL, 'node_modules'), 'dir');
process.once('exit', () => rmSync(INSTALL, { recursive: true, force: true }));
export const BIN = join(INSTALL, 'bin', 'stockpipe.js');

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The CLI as its own process, in `cwd`, with plain output (no colour, no TTY). */
export function spawnCli(args: string[], cwd: string): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.NODE_TEST_CONTEXT; // a CLI spawned by a test is not itself a test
  delete env.FORCE_COLOR;
  return spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects a spawned process's output until it exits. */
export function finished(child: ChildProcess): Promise<ProcessResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs the CLI to completion (killed after timeoutMs, which then fails the caller's asserts). */
export async function runBin(args: string[], cwd: string, timeoutMs = 60_000): Promise<ProcessResult> {
  const child = spawnCli(args, cwd);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await finished(child);
  } finally {
    clearTimeout(timer);
  }
}

/** Like runBin, but a non-zero exit throws with the command's stderr. */
export async function runBinOk(args: string[], cwd: string, timeoutMs?: number): Promise<ProcessResult> {
  const result = await runBin(args, cwd, timeoutMs);
  if (result.code !== 0) {
    throw new Error(
      `stockpipe ${args.join(' ')} exited ${result.code ?? result.signal}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result;
}

/** A fresh folder; `dispose` stops its local stack (whatever state the test left) and removes it. */
export function freshWorkdir(prefix: string): { cwd: string; dispose: () => Promise<void> } {
  const cwd = mkdtempSync(join(tmpdir(), `${ODD_FOLDER_NAME} ${prefix}-`));
  return {
    cwd,
    dispose: () => removeStackFolder(cwd),
  };
}

export type FunctionCounters = LocalPipelineStatus['functions'][number];

/** The daemon's runner counters for one pipeline's ingest and trends functions. */
export async function pipelineCounters(
  cwd: string,
  pipeline = 'stockpipe',
): Promise<{ ingest: FunctionCounters | undefined; trends: FunctionCounters | undefined }> {
  const status = await localStackStatus(cwd);
  const functions = status.daemon?.pipelines.find((p) => p.name === pipeline)?.functions ?? [];
  return {
    ingest: functions.find((fn) => fn.function === `${pipeline}-ingest`),
    trends: functions.find((fn) => fn.function === `${pipeline}-trends`),
  };
}

/**
 * Until ingest has stored `records` records and trends has processed as many INSERTs with
 * nothing pending: from then on every alert the records raise is recorded.
 */
export async function waitForDrain(cwd: string, records: number, timeoutMs = 45_000): Promise<void> {
  await waitUntil(
    async () => {
      const { ingest, trends } = await pipelineCounters(cwd);
      const detail = `ingest ${ingest?.recordsSucceeded ?? '?'}/${records}, trends ${trends?.recordsSucceeded ?? '?'}/${records}, pending ${trends?.pendingStreamRecords ?? '?'}`;
      const drained =
        ingest?.recordsSucceeded === records &&
        trends?.recordsSucceeded === records &&
        (trends.pendingStreamRecords ?? 0) === 0;
      return drained || detail;
    },
    `the local pipeline to drain ${records} records`,
    { timeoutMs },
  );
}
