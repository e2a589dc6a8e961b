/**
 * The local stack's background process: the three emulators, the DynamoDB proxy, the Lambda
 * runner for every registered pipeline (rescanned twice a second), and a control endpoint
 * (GET /status). It writes the state file once everything listens and removes it on the way out.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { localAwsClients } from '../clients.ts';
import { loadOrCreateStackKey } from '../credentials.ts';
import { tryAcquireLock } from '../lock.ts';
import { type LocalPaths, localPaths } from '../paths.ts';
import { type LocalPipeline, listLocalPipelines, registryEntry } from '../pipelines.ts';
import { collectWhenQuiet } from '../quiet-collector.ts';
import { type LocalStackState, readStackState, removeStackState, writeStackState } from '../state.ts';
import { DISK_RESERVE_BYTES, watchDisk } from './disk-guard.ts';
import { DynamoDbProxy } from './dynamodb-proxy.ts';
import { startLocalEmulators } from './emulators.ts';
import { RunningPipeline } from './running-pipeline.ts';

export interface DaemonOptions {
  cwd: string;
  handlerLoader: string | null;
  /** Keep Kinesis in memory even where leveldown loads (the fallback's own behaviour, for tests). */
  kinesisInMemory?: boolean;
  /** How often the pipeline registry is rescanned. */
  scanIntervalMs?: number;
  /** Free space below which writes are refused (disk-guard.ts). */
  diskReserveBytes?: number;
}

export interface DaemonStatus {
  pid: number;
  startedAt: string;
  uptimeMs: number;
  kinesisPersistent: boolean;
  handlerLoader: string | null;
  pipelines: ReturnType<RunningPipeline['status']>[];
  /** The daemon's memory in bytes (rss, heapUsed, external, …), to see what a long run costs. */
  memory: NodeJS.MemoryUsage;
  /** Free space of the state folder's disk; `full` while writes are refused (disk-guard.ts). */
  disk: { freeBytes: number; reserveBytes: number; full: boolean };
}

export async function runDaemon(options: DaemonOptions): Promise<void> {
  const paths = localPaths(options.cwd);
  for (const dir of [paths.root, paths.logsDir, paths.pipelinesDir, paths.s3Dir, paths.dynamodbDir, paths.kinesisDir]) {
    mkdirSync(dir, { recursive: true });
  }
  // The stack's own lock, not its starter's: a starter killed right after spawning leaves a lock
  // anyone may break, and a second daemon on these stores would fight the first for them.
  const lock = tryAcquireLock(paths.daemonLockFile);
  if ('heldBy' in lock) throw new AnotherDaemonError(lock.heldBy);
  try {
    await serve(options, paths);
  } finally {
    lock.release();
  }
}

/** Another daemon serves this folder: this one exits at once. */
export class AnotherDaemonError extends Error {
  override readonly name = 'AnotherDaemonError';
  readonly pid: number;
  constructor(pid: number) {
    super(`another local stack (process ${pid}) already serves this folder`);
    this.pid = pid;
  }
}

async function serve(options: DaemonOptions, paths: LocalPaths): Promise<void> {
  const startedAt = new Date();
  const reserveBytes = options.diskReserveBytes ?? DISK_RESERVE_BYTES;
  const disk = watchDisk(paths.root, {
    reserveBytes,
    onChange: (full, free) =>
      console.error(
        full
          ? `${new Date().toISOString()} disk full: ${Math.floor(free / 1048576)} MB free under ${paths.root}, below the ${Math.floor(reserveBytes / 1048576)} MB reserve; writes are refused (retried by their senders) until space returns`
          : `${new Date().toISOString()} disk space back: ${Math.floor(free / 1048576)} MB free; writes are accepted again`,
      ),
  });
  // The only key the endpoints answer: made once per state folder, readable by its owner only.
  const key = loadOrCreateStackKey(paths);
  const emulators = await startLocalEmulators(paths, {
    kinesisInMemory: options.kinesisInMemory === true,
    disk,
    reserveBytes,
    key,
  });
  const stopCollecting = collectWhenQuiet();
  const runtimes = new Map<string, { runtime: RunningPipeline; fingerprint: string }>();
  const proxy = new DynamoDbProxy({
    upstreamPort: emulators.ports.dynalite,
    refuseWrites: () => disk.full,
    key,
    observerOf: (table) => {
      for (const { runtime } of runtimes.values()) {
        const observer = runtime.observe(table);
        if (observer) return observer;
      }
      return undefined;
    },
  });
  const proxyPort = await proxy.listen();
  const endpoints = {
    kinesis: `http://127.0.0.1:${emulators.ports.kinesis}`,
    dynamodb: `http://127.0.0.1:${proxyPort}`,
    s3: `http://127.0.0.1:${emulators.ports.s3}`,
    credentials: key,
  };
  const clients = localAwsClients(endpoints);
  const kinesis = await clients.get('kinesis');
  const context = {
    paths,
    endpoints,
    kinesis,
    handlerLoader: options.handlerLoader,
    ...(emulators.kinesisPersistent ? {} : { kinesisIncarnation: startedAt.toISOString() }),
  };

  const status = (): DaemonStatus => ({
    pid: process.pid,
    startedAt: startedAt.toISOString(),
    uptimeMs: Date.now() - startedAt.getTime(),
    kinesisPersistent: emulators.kinesisPersistent,
    handlerLoader: options.handlerLoader,
    pipelines: [...runtimes.values()].map(({ runtime }) => runtime.status()),
    memory: process.memoryUsage(),
    disk: { freeBytes: disk.freeBytes, reserveBytes, full: disk.full },
  });
  const control = await startControl(status);

  if (!emulators.kinesisPersistent) await recreateStreams(kinesis, listLocalPipelines(options.cwd));

  let scanning = Promise.resolve();
  const scan = async () => {
    const wanted = new Map(listLocalPipelines(options.cwd).map((pipeline) => [pipeline.name, pipeline]));
    const running = new Map([...runtimes].map(([name, { fingerprint }]) => [name, fingerprint]));
    for (const { name, forget } of runtimesToStop(running, wanted, (name) => registryEntry(options.cwd, name))) {
      const entry = runtimes.get(name);
      if (!entry) continue;
      // Stop before unregistering: writes of its batch in flight must still be observed.
      await entry.runtime.stop();
      runtimes.delete(name);
      if (forget) entry.runtime.forgetState();
    }
    for (const [name, pipeline] of wanted) {
      if (runtimes.has(name)) continue;
      const runtime = new RunningPipeline(pipeline, context);
      runtimes.set(name, { runtime, fingerprint: JSON.stringify(pipeline) });
      runtime.start();
    }
  };
  await scan();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return; // a slow scan (a runtime finishing its batch) is not queued up behind
    busy = true;
    scanning = scan()
      .catch((error) => console.error(`registry scan failed: ${String(error)}`))
      .finally(() => {
        busy = false;
      });
  }, options.scanIntervalMs ?? 500);

  const state: LocalStackState = {
    pid: process.pid,
    startedAt: startedAt.toISOString(),
    ports: {
      kinesis: emulators.ports.kinesis,
      dynamodb: proxyPort,
      dynalite: emulators.ports.dynalite,
      s3: emulators.ports.s3,
      control: (control.address() as AddressInfo).port,
    },
    endpoints,
    control: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    kinesisPersistent: emulators.kinesisPersistent,
    handlerLoader: options.handlerLoader,
  };
  writeStackState(options.cwd, state);
  console.log(`${new Date().toISOString()} local stack up: ${JSON.stringify(state)}`);

  const reason = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
    // The state file is how every command finds this process: without it (folder deleted, or
    // another stack took over) nobody can reach or stop it, so it stops itself.
    const watchdog = setInterval(() => {
      if (readStackState(options.cwd)?.pid !== process.pid) {
        clearInterval(watchdog);
        resolve('state file gone');
      }
    }, 1000);
    process.once('SIGTERM', () => clearInterval(watchdog));
    process.once('SIGINT', () => clearInterval(watchdog));
  });
  console.log(`${new Date().toISOString()} stopping (${reason})`);
  clearInterval(timer);
  await scanning;
  // Pipelines registered since the last scan get their runners too, so a drain covers them.
  await scan().catch((error) => console.error(`registry scan failed: ${String(error)}`));
  // In-memory Kinesis loses what it holds: deliver it before going.
  const drain = !emulators.kinesisPersistent;
  await Promise.all([...runtimes.values()].map(({ runtime }) => runtime.stop({ drain })));
  await clients.destroy();
  await proxy.close();
  control.closeAllConnections();
  await new Promise<void>((resolve) => control.close(() => resolve()));
  await emulators.close();
  disk.stop();
  stopCollecting();
  removeStackState(options.cwd, process.pid);
  console.log(`${new Date().toISOString()} stopped`);
}

/**
 * Which running pipelines a registry scan stops, and which of them lose their state (checkpoints,
 * derived stream): a changed definition restarts its runtime; a pipeline missing from the listing
 * is stopped and forgotten only when its file is really gone (cleanup). A file that is there but
 * unreadable for a moment keeps its runtime running as it was.
 */
export function runtimesToStop(
  running: Map<string, string>,
  wanted: Map<string, LocalPipeline>,
  entry: (name: string) => 'present' | 'gone' | 'unknown',
): { name: string; forget: boolean }[] {
  const stops: { name: string; forget: boolean }[] = [];
  for (const [name, fingerprint] of running) {
    const next = wanted.get(name);
    if (next) {
      if (JSON.stringify(next) !== fingerprint) stops.push({ name, forget: false });
    } else if (entry(name) === 'gone') {
      stops.push({ name, forget: true });
    }
  }
  return stops;
}

function startControl(status: () => DaemonStatus): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/status') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status()));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** In-memory Kinesis starts empty: give every registered pipeline its stream back. */
async function recreateStreams(
  kinesis: import('@aws-sdk/client-kinesis').KinesisClient,
  pipelines: LocalPipeline[],
): Promise<void> {
  const { CreateStreamCommand } = await import('@aws-sdk/client-kinesis');
  for (const pipeline of pipelines) {
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: pipeline.stream, ShardCount: 1 }));
    } catch (error) {
      if ((error as Error).name !== 'ResourceInUseException')
        console.error(`recreate ${pipeline.stream}: ${String(error)}`);
    }
  }
}
