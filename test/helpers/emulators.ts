/**
 * kinesalite, dynalite and s3rver started in-process on free loopback ports, for integration
 * tests. Each call gets fresh, empty emulators; `stop()` closes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { AwsClients } from '../../src/aws/clients.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/constants.ts';
import { createKinesalite } from '../../src/local/daemon/emulators.ts';
import { installConditionalPuts } from '../../src/local/daemon/s3-conditional-put.ts';

export interface Emulators {
  endpoints: { kinesis: string; dynamodb: string; s3: string };
  /** A client factory pointed at these emulators. */
  clients(options?: { maxAttempts?: number }): AwsClients;
  /** Environment that points the AWS SDK (and spawned CLIs) at these emulators. */
  env: Record<string, string>;
  /** Folder where s3rver keeps objects: <dir>/<bucket>/<key>._S3rver_object */
  s3Directory: string;
  stop(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

export async function startEmulators(
  which: { kinesis?: boolean; dynamodb?: boolean; s3?: boolean } = { kinesis: true, dynamodb: true, s3: true },
): Promise<Emulators> {
  const closers: (() => Promise<void>)[] = [];
  const endpoints = { kinesis: '', dynamodb: '', s3: '' };
  const s3Directory = mkdtempSync(join(tmpdir(), 'stockpipe-s3rver-'));

  if (which.kinesis) {
    const server = await createKinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
    endpoints.kinesis = await listen(server);
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  }
  if (which.dynamodb) {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
    endpoints.dynamodb = await listen(server);
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  }
  if (which.s3) {
    const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Directory });
    installConditionalPuts(s3, s3Directory); // as the local stack's s3rver: never kinder than S3
    const { port } = (await s3.run()) as AddressInfo;
    endpoints.s3 = `http://127.0.0.1:${port}`;
    closers.push(async () => {
      await s3.close();
    });
  }

  const env: Record<string, string> = {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    ...(endpoints.kinesis ? { AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis } : {}),
    ...(endpoints.dynamodb ? { AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb } : {}),
    ...(endpoints.s3 ? { AWS_ENDPOINT_URL_S3: endpoints.s3 } : {}),
  };

  return {
    endpoints,
    env,
    s3Directory,
    clients: (options = {}) =>
      new AwsClients({
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
        endpoints: Object.fromEntries(Object.entries(endpoints).filter(([, url]) => url)),
        env: {},
        ...options,
      }),
    async stop() {
      await Promise.all(closers.map((close) => close()));
      rmSync(s3Directory, { recursive: true, force: true });
    },
  };
}
