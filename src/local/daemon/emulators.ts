/**
 * The three emulators of the local stack, on loopback ports, keeping their state under
 * `.stockpipe/local/`: dynalite in LevelDB (classic-level, prebuilt), s3rver as files, kinesalite
 * in LevelDB through leveldown when its binary loads on this platform, in memory otherwise.
 */

import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type kinesalite from 'kinesalite';
import type { LocalPaths } from '../paths.ts';
import { installDynaliteIteratorClose } from './dynalite-iterators.ts';
import { installKinesaliteFastPath } from './kinesalite-fast-path.ts';
import { guardS3Keys } from './s3-key-guard.ts';
import { checkDynamoDbStore, checkKinesisStore } from './store-check.ts';

export interface RunningEmulators {
  ports: { kinesis: number; dynalite: number; s3: number };
  kinesisPersistent: boolean;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** kinesalite requires leveldown only when given a path; leveldown ships prebuilt binaries for some platforms only. */
export function leveldownLoads(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const kinesaliteMain = require.resolve('kinesalite');
    createRequire(kinesaliteMain)('leveldown');
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
  options: { kinesisInMemory?: boolean } = {},
): Promise<RunningEmulators> {
  const [{ default: dynalite }, { default: S3rver }] = await Promise.all([import('dynalite'), import('s3rver')]);
  installDynaliteIteratorClose();
  const kinesisPersistent = !options.kinesisInMemory && leveldownLoads();
  if (kinesisPersistent) await checkKinesisStore(paths.kinesisDir);
  await checkDynamoDbStore(paths.dynamodbDir);
  const timings = { createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 };
  const kinesisServer = await createKinesalite(kinesisPersistent ? { ...timings, path: paths.kinesisDir } : timings);
  const dynaliteServer = dynalite({ path: paths.dynamodbDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: paths.s3Dir });
  guardS3Keys(s3);
  const [kinesis, dynaliteport, s3Address] = await Promise.all([
    listen(kinesisServer),
    listen(dynaliteServer),
    s3.run() as Promise<AddressInfo>,
  ]);
  return {
    ports: { kinesis, dynalite: dynaliteport, s3: s3Address.port },
    kinesisPersistent,
    async close() {
      await Promise.all([closeServer(kinesisServer), closeServer(dynaliteServer), s3.close()]);
    },
  };
}
