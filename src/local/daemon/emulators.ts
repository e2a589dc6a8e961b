/**
 * The three emulators of the local stack, on loopback ports, keeping their state under
 * `.stockpipe/local/`: dynalite in LevelDB (classic-level, prebuilt) and s3rver as files, each on a
 * worker thread of its own; kinesalite on the daemon's main thread, in LevelDB through leveldown
 * when its binary loads on this platform, in memory otherwise.
 */

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type kinesalite from 'kinesalite';
import type { LocalPaths } from '../paths.ts';
import { type DiskGuard, isWriteAction, throttleBody } from './disk-guard.ts';
import type { EmulatorKind } from './emulator-worker.ts';
import { installKinesaliteFastPath, kinesaliteRequire } from './kinesalite-fast-path.ts';
import { installKinesaliteLevelOptions } from './level-options.ts';
import { closeServer, listenOnLoopback } from './loopback.ts';
import { type AccessKey, checkSignature, JSON_REFUSALS } from './sigv4.ts';
import { checkDynamoDbStore, checkKinesisStore } from './store-check.ts';

export interface RunningEmulators {
  ports: { kinesis: number; dynalite: number; s3: number };
  kinesisPersistent: boolean;
  close(): Promise<void>;
}

/** kinesalite requires leveldown only when given a path; leveldown ships prebuilt binaries for some platforms only. */
export function leveldownLoads(): boolean {
  try {
    kinesaliteRequire()('leveldown');
    return true;
  } catch {
    return false;
  }
}

/** kinesalite with its fast path installed: what the local stack, the tests and the producer bench run. */
export async function createKinesalite(options: Parameters<typeof kinesalite>[0]): Promise<Server> {
  const { default: createServer } = await import('kinesalite');
  installKinesaliteFastPath();
  return createServer(options);
}

export async function startLocalEmulators(
  paths: LocalPaths,
  options: { kinesisInMemory?: boolean; disk?: DiskGuard; reserveBytes?: number; key?: AccessKey } = {},
): Promise<RunningEmulators> {
  const kinesisPersistent = !options.kinesisInMemory && leveldownLoads();
  if (kinesisPersistent) {
    await checkKinesisStore(paths.kinesisDir);
    installKinesaliteLevelOptions();
  }
  await checkDynamoDbStore(paths.dynamodbDir);
  const timings = { createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 };
  const kinesisServer = await createKinesalite(kinesisPersistent ? { ...timings, path: paths.kinesisDir } : timings);
  guardKinesis(kinesisServer, {
    ...(options.disk ? { disk: options.disk } : {}),
    ...(options.key ? { key: options.key } : {}),
  });
  const [kinesis, dynamodb, s3] = await Promise.all([
    listenOnLoopback(kinesisServer),
    startEmulatorWorker('dynamodb', paths.dynamodbDir),
    startEmulatorWorker('s3', paths.s3Dir, options.reserveBytes, options.key),
  ]);
  return {
    ports: { kinesis, dynalite: dynamodb.port, s3: s3.port },
    kinesisPersistent,
    async close() {
      await Promise.all([closeServer(kinesisServer), dynamodb.close(), s3.close()]);
    },
  };
}

/**
 * kinesalite's request handler behind the stack's guards: a request not signed with the stack's
 * key is refused (kinesalite checks only that a signature is there), and while the disk is full
 * PutRecords and the like are throttled. The body is read first — the signature covers its hash —
 * and handed to kinesalite as the request it would have read.
 */
function guardKinesis(server: Server, guards: { disk?: DiskGuard; key?: AccessKey }): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  const answer = (res: ServerResponse, type: string, message?: string) => {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(message === undefined ? throttleBody(type) : JSON.stringify({ __type: type, message }));
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const refusal = guards.key
        ? checkSignature({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers }, guards.key, body)
        : undefined;
      if (refusal) return answer(res, JSON_REFUSALS[refusal.code], refusal.message);
      if (guards.disk?.full && isWriteAction(req.headers['x-amz-target'] as string | undefined)) {
        return answer(res, 'ProvisionedThroughputExceededException');
      }
      const replay = Object.assign(new PassThrough(), { headers: req.headers, method: req.method, url: req.url });
      for (const handler of handlers) handler(replay as unknown as IncomingMessage, res);
      replay.end(body);
    });
  });
}

const EMULATOR_WORKER_URL = new URL(
  `./emulator-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

/**
 * The emulators keep their data on disk and little in V8's heap; capped, V8 collects sooner instead
 * of growing each thread's heap under a long replay (200,000 rows: daemon peak 532 → 432–459 MB).
 */
const EMULATOR_HEAP_LIMITS = { maxOldGenerationSizeMb: 128 };

/** An emulator on its own thread (./emulator-worker.ts): its port, and how to stop it. */
function startEmulatorWorker(
  kind: EmulatorKind,
  directory: string,
  reserveBytes?: number,
  key?: AccessKey,
): Promise<{ port: number; close(): Promise<void> }> {
  const worker = new Worker(EMULATOR_WORKER_URL, {
    workerData: { kind, directory, reserveBytes, key },
    resourceLimits: EMULATOR_HEAP_LIMITS,
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the ${kind} emulator exited with code ${code} while starting`)));
    worker.once('message', (message: { port: number }) => {
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      // Once running, a crash takes the endpoint with it: say so in the daemon's log.
      worker.on('error', (error) => console.error(`the ${kind} emulator stopped: ${error.message}`));
      resolve({
        port: message.port,
        close: async () => {
          const closed = new Promise<void>((done) => worker.once('exit', () => done()));
          worker.postMessage('close');
          await Promise.race([closed, new Promise((done) => setTimeout(done, 5000).unref())]);
          await worker.terminate();
        },
      });
    });
  });
}
