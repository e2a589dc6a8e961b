/**
 * AWS's own Lambda runtime on this machine: the Runtime Interface Emulator (aws-lambda-rie) running
 * the Node.js runtime interface client (aws-lambda-ric) on a task root, as Lambda's nodejs22.x
 * runtime runs a zip — the Handler, node flags and environment of the function's definition, with
 * a stand-in for the runtime's own AWS SDK on its module search path (NODE_PATH). Both bind to
 * 127.0.0.1 on free ports.
 *
 * scripts/install-lambda-runtime.sh builds them (cached) and says where they are: through the
 * STOCKPIPE_LAMBDA_* variables, or in <cache>/lambda-runtime/env, read when they are unset.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type LambdaDefinition,
  lambdaEnvironment,
  lambdaLogStreamName,
  lambdaNodeFlags,
} from '../../src/packaging/lambda-definition.ts';
import { unpackLambda } from '../../src/packaging/load-lambda.ts';
import { freePort } from './free-port.ts';
import { waitFor } from './wait.ts';

export interface LambdaRuntimePaths {
  rie: string;
  ric: string;
  /** node_modules folders standing in for the runtime's SDK. */
  sdkLocked: string;
  sdkOld: string;
}

const VARIABLES = {
  rie: 'STOCKPIPE_LAMBDA_RIE',
  ric: 'STOCKPIPE_LAMBDA_RIC',
  sdkLocked: 'STOCKPIPE_LAMBDA_SDK_LOCKED',
  sdkOld: 'STOCKPIPE_LAMBDA_SDK_OLD',
} as const;

export function lambdaRuntimePaths(): LambdaRuntimePaths | undefined {
  const fromFile: Record<string, string> = {};
  const file = join(process.env.STOCKPIPE_CACHE ?? join(homedir(), '.cache', 'stockpipe'), 'lambda-runtime', 'env');
  if (existsSync(file)) {
    for (const [, key, value] of readFileSync(file, 'utf8').matchAll(/^export (\w+)=(.*)$/gm)) {
      fromFile[key as string] = value as string;
    }
  }
  const paths: Partial<LambdaRuntimePaths> = {};
  for (const [field, variable] of Object.entries(VARIABLES) as [keyof LambdaRuntimePaths, string][]) {
    const value = process.env[variable] || fromFile[variable];
    if (!value || !existsSync(value)) return undefined;
    paths[field] = value;
  }
  return paths as LambdaRuntimePaths;
}

/** For `describe(..., { skip })`: outside CI a missing runtime skips; in CI it fails in before(). */
export function lambdaRuntimeSkipReason(): string | false {
  if (lambdaRuntimePaths() || process.env.CI === 'true') return false;
  return "AWS's Lambda runtime is not installed: run scripts/install-lambda-runtime.sh (about 3 minutes, once)";
}

/** Registers the NODE_PATH search Lambda's runtime does for ES modules (see the file). */
const NODE_PATH_HOOK = fileURLToPath(new URL('../conformance/support/node-path-resolve.mjs', import.meta.url));

export interface InvokeResult {
  status: number;
  body: unknown;
}

export interface RunningRuntime {
  taskRoot: string;
  invoke(event: unknown): Promise<InvokeResult>;
  /** Everything the emulator and the function printed so far. */
  output(): string;
  /** The emulator's measure of the init phase (its `INIT REPORT(durationMs: …)` line). */
  initDurationMs(): number | undefined;
  /** `Init Duration` from the first REPORT line. */
  reportInitDurationMs(): number | undefined;
  stop(): Promise<void>;
}

export interface StartRuntimeOptions {
  paths: LambdaRuntimePaths;
  zip: Uint8Array;
  definition: LambdaDefinition;
  functionName: string;
  region: string;
  /** The function's Environment.Variables, credentials and endpoint. */
  environment: Record<string, string>;
  /** node_modules folder on the runtime's module path (the runtime's own SDK). */
  runtimeSdk: string;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

export async function startLambdaRuntime(options: StartRuntimeOptions): Promise<RunningRuntime> {
  const { paths, definition, functionName, region } = options;
  // A task root like /var/task: the zip's files and no node_modules above them.
  const home = mkdtempSync(join(tmpdir(), 'stockpipe-rie-'));
  const taskRoot = await unpackLambda(options.zip, join(home, 'code'));
  const [emulatorPort, runtimeApiPort] = [await freePort(), await freePort()];
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // The test's clock, when faketime sets it (the suite runs a year ahead too): AWS and its caller
    // share one time.
    ...Object.fromEntries(
      Object.entries(process.env).filter(([key]) => key === 'LD_PRELOAD' || key.startsWith('FAKETIME')),
    ),
    ...options.environment,
    ...lambdaEnvironment({
      definition,
      functionName,
      region,
      taskRoot,
      logStreamName: lambdaLogStreamName(new Date(), '0'.repeat(32)),
    }),
    // Lambda's module path: layers, then the runtime's own modules (its SDK), then the code.
    NODE_PATH: `${options.runtimeSdk}:${taskRoot}`,
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(definition.timeoutSeconds),
  };
  const child: ChildProcess = spawn(
    paths.rie,
    [
      '--runtime-interface-emulator-address',
      `127.0.0.1:${emulatorPort}`,
      '--runtime-api-address',
      `127.0.0.1:${runtimeApiPort}`,
      process.execPath,
      ...lambdaNodeFlags(definition.memoryMb),
      '--import',
      NODE_PATH_HOOK,
      paths.ric,
      definition.handler,
    ],
    { cwd: taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`aws-lambda-rie exited with ${child.exitCode}: ${output}`);
        return listening(emulatorPort);
      },
      `aws-lambda-rie on 127.0.0.1:${emulatorPort}`,
      { timeoutMs: 20_000 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const number = (pattern: RegExp) => {
    const match = pattern.exec(output);
    return match ? Number(match[1]) : undefined;
  };
  return {
    taskRoot,
    async invoke(event) {
      const response = await fetch(`http://127.0.0.1:${emulatorPort}/2015-03-31/functions/function/invocations`, {
        method: 'POST',
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(definition.timeoutSeconds * 1000 + 10_000),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: response.status, body };
    },
    output: () => output,
    initDurationMs: () => number(/INIT REPORT\(durationMs: ([\d.]+)\)/),
    reportInitDurationMs: () => number(/^REPORT .*Init Duration: ([\d.]+) ms/m),
    stop,
  };
}
