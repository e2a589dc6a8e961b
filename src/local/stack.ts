/**
 * Starting, stopping and describing the local stack from any stockpipe process. The stack is one
 * detached background process (daemon/main.ts); the state file says where it listens. Starting
 * is serialised by an exclusive lock file, so two commands that start at once share one stack.
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { StockpipeError } from '../errors.ts';
import { START_FAILURE_MARK } from './constants.ts';
import type { DaemonStatus } from './daemon/daemon.ts';
import { isProcessAlive } from './files.ts';
import { acquireLock, lockHolder } from './lock.ts';
import { localPaths } from './paths.ts';
import { type LocalPipeline, listLocalPipelines } from './pipelines.ts';
import { type LocalEndpoints, type LocalStackState, liveStackState, readStackState } from './state.ts';

const EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const DAEMON_MAIN = new URL(`./daemon/main${EXTENSION}`, import.meta.url);

export interface EnsureOptions {
  /**
   * Module (URL or absolute path) exporting `loadLambdaHandler(fn: 'ingest' | 'trends')`, from
   * which the runner loads the handlers. Only used when this call starts the stack.
   */
  handlerLoader?: string | null;
  /** How long to wait for the stack to come up (default 30 s). */
  timeoutMs?: number;
  /**
   * Run Kinesis in memory even where leveldown loads: the fallback for platforms without its
   * binary (drained on stop, streams recreated on start). For tests.
   */
  kinesisInMemory?: boolean;
  /** Free space below which the stack refuses writes (default 64 MB: disk-guard.ts). For tests. */
  diskReserveMb?: number;
}

export interface EnsuredStack {
  endpoints: LocalEndpoints;
  state: LocalStackState;
  /** True when this call started the stack, false when it was already running. */
  started: boolean;
}

/** The running stack's endpoints, starting it first when it is not running. */
export async function ensureLocalStack(cwd: string, options: EnsureOptions = {}): Promise<EnsuredStack> {
  const running = liveStackState(cwd).state;
  if (running) return { endpoints: running.endpoints, state: running, started: false };
  const paths = localPaths(cwd);
  const lock = await acquireLock(paths.lockFile, {
    what: 'the local stack lock',
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  try {
    // Someone may have started it while we waited for the lock.
    const { state, stale } = liveStackState(cwd);
    if (state) return { endpoints: state.endpoints, state, started: false };
    if (stale) rmSync(paths.stateFile, { force: true });
    const started = await spawnDaemon(cwd, options);
    return { endpoints: started.endpoints, state: started, started: true };
  } finally {
    lock.release();
  }
}

/**
 * The daemon's young generation: 4 MB semi-spaces instead of V8's 16 MB, for its main thread and
 * the emulator threads (the Lambda sandboxes set their own). Almost everything the stack allocates
 * dies young (requests, records in flight), so it is collected as soon, and each of the three
 * isolates stops holding ~24 MB of empty young space: a 100,000-row replay peaked at 427 MB
 * instead of 500, at the same speed.
 *
 * And its old generations grow by half of what a collection leaves live, not by V8's own factor
 * (up to 4× on a fast machine): over a live stream each of the daemon's six isolates kept growing
 * its heap for minutes, the daemon 300 → 330 MB in 10 minutes; now 291 → 296 MB in 6. A
 * 50,000-row replay: 30.5 → 31.7 s, peak 411 → 340 MB. (`--optimize-for-size` held it flatter
 * still, 224 → 235 MB, but slowed that replay to 46 s.)
 *
 * `--expose-gc` gives each thread the full collection quiet-collector.ts runs once it goes idle;
 * the Lambda sandboxes' handlers see `gc` as they do on AWS, whose runtime runs node with it.
 */
const DAEMON_V8_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=50', '--expose-gc'];

async function spawnDaemon(cwd: string, options: EnsureOptions): Promise<LocalStackState> {
  const paths = localPaths(cwd);
  makePrivateDirs(cwd);
  const log = openSync(paths.daemonLog, 'a', 0o600);
  const env = daemonEnvironment(process.env);
  // fileURLToPath, not .pathname: a folder with a space or a non-ASCII letter stays a valid path.
  const args = [fileURLToPath(DAEMON_MAIN), '--cwd', cwd];
  if (options.handlerLoader) args.push('--handler-loader', options.handlerLoader);
  if (options.kinesisInMemory) args.push('--kinesis-in-memory');
  if (options.diskReserveMb !== undefined) args.push('--disk-reserve-mb', String(options.diskReserveMb));
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', ...DAEMON_V8_FLAGS, ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', log, log],
    env,
  });
  closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  child.unref();
  const pid = child.pid;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    const state = readStackState(cwd);
    if (state && state.pid === pid) return state;
    // Ours exited because an earlier daemon (whose starter was killed) holds the stack's own lock:
    // that one is the stack, once it is up.
    const other = lockHolder(paths.daemonLockFile);
    if (other !== undefined && other !== pid) {
      if (state && state.pid === other) return state;
      await sleep(50);
      continue;
    }
    if (exited !== undefined || (pid !== undefined && !isProcessAlive(pid))) {
      throw new StockpipeError(`the local stack did not start: ${startFailure(paths.daemonLog)}`);
    }
    await sleep(50);
  }
  if (pid !== undefined) killQuietly(pid, 'SIGKILL');
  throw new StockpipeError(
    `the local stack did not start within ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s (see ${paths.daemonLog})`,
  );
}

/**
 * What the daemon takes from the caller's environment: where programs, home and temporary files
 * are, the locale and time zone — nothing else. Not AWS credentials (the stack and its handlers use
 * the local target's own), and not the shell's other secrets (a GITHUB_TOKEN, a database password):
 * a handler reads its process's environment through /proc/self/environ whatever its worker's `env`
 * says, so the process itself must start clean, as a Lambda sandbox does.
 */
const INHERITED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'TMP',
  'TEMP',
  'LANG',
  'LANGUAGE',
  'TZ',
  // How the user's programs are run, not secrets: preloaded libraries (libfaketime, a malloc) make
  // the daemon live in the same clock and libraries as the command that starts it.
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
]);

/**
 * The daemon's environment: the allow-listed variables (and the locale's LC_*, libfaketime's
 * FAKETIME*) of the caller.
 * glibc's malloc gets two arenas unless the caller chose (MALLOC_ARENA_MAX): by default it makes up
 * to eight per core for the daemon's dozen threads, and the fragments cost ~30 MB of a
 * 100,000-row replay's peak (473–480 → 442–449 MB, the same speed). And its mmap threshold is fixed
 * at 32 KB (MALLOC_MMAP_THRESHOLD_): by default the first large block freed raises it, up to 32 MB,
 * so later blocks — a large record's body, the 64 KB chunks a request arrives in — come from the
 * heap, where what is freed stays fragmented and resident: 60 records of 1 MiB left the daemon
 * ~250 MB bigger for good (~75 MB at a 128 KB threshold, ~32 MB at 32 KB, with quiet-collector.ts
 * collecting the garbage). Blocks mapped on their own go back to the system when freed. The
 * caller's MALLOC_* settings stand; other C libraries ignore them.
 */
export function daemonEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // The defaults; a caller's own MALLOC_* replace them below.
  const clean: NodeJS.ProcessEnv = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '32768' };
  for (const [key, value] of Object.entries(env)) {
    if (
      INHERITED.has(key) ||
      key.startsWith('LC_') ||
      key.startsWith('FAKETIME') ||
      key.startsWith('MALLOC_') ||
      key === 'GLIBC_TUNABLES'
    )
      clean[key] = value;
  }
  return clean;
}

/** `.stockpipe/` and the stack's folders, readable by the user only (also when made by an older version). */
export function makePrivateDirs(cwd: string): void {
  const paths = localPaths(cwd);
  mkdirSync(paths.logsDir, { recursive: true, mode: 0o700 });
  for (const dir of [dirname(paths.root), paths.root, paths.logsDir]) chmodSync(dir, 0o700);
}

export interface StopResult {
  /** A running stack was stopped. */
  stopped: boolean;
  pid?: number;
  /** A state file was left by a stack that had died; it was removed. */
  staleRemoved?: boolean;
}

/** Stops the stack (gracefully: runners finish their batch; SIGKILL after timeoutMs). */
export async function stopLocalStack(cwd: string, options: { timeoutMs?: number } = {}): Promise<StopResult> {
  const paths = localPaths(cwd);
  if (!existsSync(paths.stateFile) && !existsSync(paths.lockFile)) return { stopped: false };
  const lock = await acquireLock(paths.lockFile, { what: 'the local stack lock', timeoutMs: 60_000 });
  try {
    const { state, stale } = liveStackState(cwd);
    if (stale) {
      rmSync(paths.stateFile, { force: true });
      return { stopped: false, pid: stale.pid, staleRemoved: true };
    }
    if (!state) return { stopped: false };
    killQuietly(state.pid, 'SIGTERM');
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    while (isProcessAlive(state.pid) && Date.now() < deadline) await sleep(50);
    if (isProcessAlive(state.pid)) {
      killQuietly(state.pid, 'SIGKILL');
      while (isProcessAlive(state.pid)) await sleep(50);
    }
    const left = readStackState(cwd);
    if (left?.pid === state.pid) rmSync(paths.stateFile, { force: true });
    return { stopped: true, pid: state.pid };
  } finally {
    lock.release();
  }
}

/**
 * SIGKILLs whatever daemon still holds this folder (by its state file or its own lock) and waits
 * for it to be gone: for `local reset`, which deletes the stores under it.
 */
export async function killStackProcesses(cwd: string): Promise<void> {
  const paths = localPaths(cwd);
  const pids = new Set<number>();
  const state = readStackState(cwd);
  if (state && isProcessAlive(state.pid)) pids.add(state.pid);
  const holder = lockHolder(paths.daemonLockFile);
  if (holder !== undefined) pids.add(holder);
  for (const pid of pids) {
    if (pid === process.pid) continue;
    killQuietly(pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (isProcessAlive(pid) && Date.now() < deadline) await sleep(50);
  }
}

export interface LocalStackStatus {
  running: boolean;
  /** The state file named a process that is gone. */
  stale: boolean;
  pid: number | null;
  startedAt: string | null;
  uptimeMs: number | null;
  ports: LocalStackState['ports'] | null;
  endpoints: LocalEndpoints | null;
  kinesisPersistent: boolean | null;
  /** Registered pipelines (from the registry, whether or not the stack runs). */
  pipelines: LocalPipeline[];
  /** What the daemon reports: per-pipeline, per-function runner counters. Null when it does not answer. */
  daemon: DaemonStatus | null;
  stateDir: string;
}

export async function localStackStatus(cwd: string): Promise<LocalStackStatus> {
  const { state, stale } = liveStackState(cwd);
  const base = {
    pipelines: listLocalPipelines(cwd),
    stateDir: localPaths(cwd).root,
  };
  if (!state) {
    return {
      running: false,
      stale: stale !== undefined,
      pid: stale?.pid ?? null,
      startedAt: null,
      uptimeMs: null,
      ports: null,
      endpoints: null,
      kinesisPersistent: null,
      daemon: null,
      ...base,
    };
  }
  return {
    running: true,
    stale: false,
    pid: state.pid,
    startedAt: state.startedAt,
    uptimeMs: Date.now() - Date.parse(state.startedAt),
    ports: state.ports,
    endpoints: state.endpoints,
    kinesisPersistent: state.kinesisPersistent,
    daemon: await fetchDaemonStatus(state.control),
    ...base,
  };
}

export type LocalPipelineStatus = DaemonStatus['pipelines'][number];

/**
 * Resolves once the running stack serves the pipeline: both handlers loaded and the stream's
 * shards found. Fails with the reason the stack gives (e.g. a handler that does not load).
 */
export async function waitForLocalPipeline(
  cwd: string,
  name: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<LocalPipelineStatus> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: LocalPipelineStatus | undefined;
  for (;;) {
    const status = await localStackStatus(cwd);
    if (!status.running)
      throw new StockpipeError('the local stack is not running: start it with `stockpipe local start`');
    last = status.daemon?.pipelines.find((pipeline) => pipeline.name === name);
    const ready =
      last?.functions.every((fn) => fn.waitingFor === null) === true &&
      last.functions.some((fn) => (fn.shards ?? 0) > 0);
    if (ready && last) return last;
    if (Date.now() > deadline || options.signal?.aborted) {
      const reasons = last?.functions.filter((fn) => fn.waitingFor).map((fn) => `${fn.function}: ${fn.waitingFor}`);
      throw new StockpipeError(
        `the local stack does not serve pipeline ${name} yet${reasons?.length ? ` (${reasons.join('; ')})` : ''}; see .stockpipe/local/logs/daemon.log`,
      );
    }
    await sleep(100);
  }
}

async function fetchDaemonStatus(control: string): Promise<DaemonStatus | null> {
  try {
    const response = await fetch(`${control}/status`, { signal: AbortSignal.timeout(3000) });
    return response.ok ? ((await response.json()) as DaemonStatus) : null;
  } catch {
    return null;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** The reason the daemon gave for failing (its last START_FAILURE_MARK line), else the log's tail. */
export function startFailure(log: string): string {
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return `no log (${log})`;
  }
  const marked = text.lastIndexOf(START_FAILURE_MARK);
  if (marked >= 0) {
    const reason = text
      .slice(marked + START_FAILURE_MARK.length)
      .split('\n')[0]
      ?.trim();
    if (reason) return reason;
  }
  return `${lastLines(log)} (see ${log})`;
}

function lastLines(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    return lines.slice(-3).join(' | ').slice(-400);
  } catch {
    return 'no log';
  }
}
