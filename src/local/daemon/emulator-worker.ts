/**
 * One emulator (s3rver or dynalite) in a worker thread of the daemon. Each costs about a
 * millisecond of CPU per object or item stored (file work, LevelDB, request parsing); on the
 * daemon's main thread they competed with kinesalite and the runner, and a replay ran at the
 * speed of that one thread. On threads of their own they use the machine's other cores.
 * Messages: → { port } once it takes requests; ← 'close' → it exits.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { collectWhenQuiet } from '../quiet-collector.ts';
import { watchDisk } from './disk-guard.ts';
import { installDynaliteIteratorClose } from './dynalite-iterators.ts';
import { installDynaliteLevelOptions } from './level-options.ts';
import { closeServer, listenOnLoopback } from './loopback.ts';
import { installConditionalPuts, installDiskGuard, installSignatureCheck } from './s3-conditional-put.ts';
import { guardS3Keys } from './s3-key-guard.ts';
import type { AccessKey } from './sigv4.ts';

export type EmulatorKind = 's3' | 'dynamodb';

interface RunningEmulator {
  port: number;
  close(): Promise<void>;
}

async function startS3(
  directory: string,
  reserveBytes: number | undefined,
  key: AccessKey | undefined,
): Promise<RunningEmulator> {
  const { default: S3rver } = await import('s3rver');
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  installConditionalPuts(s3, directory);
  // This thread's own look at the disk: the daemon's main thread guards Kinesis and DynamoDB.
  const disk = watchDisk(directory, reserveBytes !== undefined ? { reserveBytes } : {});
  installDiskGuard(s3, () => disk.full);
  if (key) installSignatureCheck(s3, key);
  guardS3Keys(s3); // first of all: a conditional put of an escaping key is refused too
  const address = (await s3.run()) as AddressInfo;
  return { port: address.port, close: () => s3.close() as Promise<void> };
}

async function startDynalite(directory: string): Promise<RunningEmulator> {
  const { default: dynalite } = await import('dynalite');
  installDynaliteIteratorClose();
  installDynaliteLevelOptions();
  const server: Server = dynalite({ path: directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return { port: await listenOnLoopback(server), close: () => closeServer(server) };
}

const port = parentPort;
if (port) {
  const { kind, directory, reserveBytes, key } = workerData as {
    kind: EmulatorKind;
    directory: string;
    reserveBytes?: number;
    key?: AccessKey;
  };
  const emulator = kind === 's3' ? await startS3(directory, reserveBytes, key) : await startDynalite(directory);
  port.on('message', async (message: unknown) => {
    if (message !== 'close') return;
    await emulator.close();
    port.close();
  });
  collectWhenQuiet();
  port.postMessage({ port: emulator.port });
}
