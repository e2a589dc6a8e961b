/**
 * moto in server mode on a free loopback port, for the conformance suite. moto keeps real state
 * and real error codes, but runs no Lambda code and executes no Athena SQL.
 *
 * Binary lookup: STOCKPIPE_MOTO_SERVER, then ./.venv/bin/moto_server (scripts/test.mjs creates
 * it when python3 is available), then moto_server on PATH. Without any, the suite skips with the
 * reason (except in CI, where it fails).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AwsClients } from '../../src/aws/clients.ts';
import { freePort } from './free-port.ts';
import { waitFor } from './wait.ts';

export function motoServerPath(): string | undefined {
  const candidates = [process.env.STOCKPIPE_MOTO_SERVER, join(process.cwd(), '.venv/bin/moto_server')];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, 'moto_server');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * For `describe(..., { skip: motoSkipReason() })`. In CI nothing skips: a missing moto is a broken
 * install, so the suite runs and `startMoto` fails saying so.
 */
export function motoSkipReason(): string | false {
  if (motoServerPath() || process.env.CI === 'true') return false;
  return 'moto is not installed: pip install -r test/conformance/requirements.txt (npm test does this in .venv)';
}

export interface Moto {
  endpoint: string;
  /** Environment for the SDK and spawned CLIs: endpoint, region, dummy credentials. */
  env: Record<string, string>;
  clients(options?: ConstructorParameters<typeof AwsClients>[0]): AwsClients;
  /** Wipe all state (POST /moto-api/reset) between tests. */
  reset(): Promise<void>;
  /** Queue canned Athena results (moto executes no SQL): rows of the first entry include the header row. */
  queueAthenaResults(body: unknown): Promise<void>;
  stop(): Promise<void>;
}

export const MOTO_REGION = 'us-east-1';
/** moto's fixed account id. */
export const MOTO_ACCOUNT = '123456789012';

export async function startMoto(): Promise<Moto> {
  const binary = motoServerPath();
  if (!binary) throw new Error('moto is not installed: pip install -r test/conformance/requirements.txt');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'false' },
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });

  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
      return (await fetch(`${endpoint}/moto-api/`).catch(() => undefined))?.ok;
    },
    `moto_server on ${endpoint}`,
    { timeoutMs: 30_000, intervalMs: 100 },
  ).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`moto_server did not start: ${error.message}: ${log}`);
  });

  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: MOTO_REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  };
  return {
    endpoint,
    env,
    clients: (options = {}) =>
      new AwsClients({
        region: MOTO_REGION,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        env,
        ...options,
      }),
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async queueAthenaResults(body) {
      const response = await fetch(`${endpoint}/moto-api/static/athena/query-results`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`moto refused the Athena results: ${response.status}`);
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => {
        if (child.exitCode !== null) resolve(undefined);
        else child.once('exit', resolve);
      });
    },
  };
}
