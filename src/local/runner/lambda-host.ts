/**
 * Runs one function in a worker-thread sandbox (see lambda-worker.ts) and writes what it prints to
 * `logs/<fn>.log` as JSON lines: the handler's own JSON lines as they are (Powertools), other
 * lines wrapped as {timestamp, level, message}, plus platform.start / platform.report lines as
 * Lambda's JSON log format writes them. A timeout or crash counts as a function error and the
 * next invocation gets a fresh sandbox, as on Lambda.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../constants.ts';
import type { InvokeOutcome } from './delivery.ts';
import type { FunctionInvoker } from './invoker.ts';

export type HandlerKind = 'ingest' | 'trends';

export interface LambdaHostOptions {
  functionName: string;
  kind: HandlerKind;
  /** URL or path of a module exporting loadLambdaHandler(kind) → handler. */
  loaderModule: string;
  env: Record<string, string>;
  logFile: string;
  timeoutMs: number;
  memoryMb?: number;
}

interface WorkerMessage {
  type: 'ready' | 'load-error' | 'result';
  id?: number;
  ok?: boolean;
  response?: unknown;
  error?: { errorType: string; errorMessage: string };
}

interface Pending {
  resolve(outcome: InvokeOutcome): void;
  timer: NodeJS.Timeout;
}

const WORKER_URL = new URL(`./lambda-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export class LambdaHost implements FunctionInvoker {
  readonly functionName: string;
  readonly functionArn: string;
  private readonly options: LambdaHostOptions;
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private log: WriteStream | undefined;

  constructor(options: LambdaHostOptions) {
    this.options = options;
    this.functionName = options.functionName;
    this.functionArn = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${options.functionName}`;
  }

  /** Starts the sandbox and loads the handler; rejects with the load error. */
  load(): Promise<void> {
    this.ready ??= this.spawn().catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  async invoke(event: unknown): Promise<InvokeOutcome> {
    try {
      await this.load();
    } catch (error) {
      const { errorType, errorMessage } = error as { errorType?: string; errorMessage?: string };
      return {
        ok: false,
        error: { errorType: errorType ?? 'Runtime.Error', errorMessage: errorMessage ?? String(error) },
      };
    }
    const worker = this.worker;
    if (!worker) return { ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: 'sandbox not running' } };
    const id = this.nextId++;
    const requestId = randomUUID();
    const started = Date.now();
    this.writePlatform('platform.start', { requestId, functionArn: this.functionArn, version: '$LATEST' });
    const outcome = await new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const seconds = (this.options.timeoutMs / 1000).toFixed(2);
        resolve({
          ok: false,
          error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${seconds} seconds` },
        });
        this.reset();
      }, this.options.timeoutMs);
      this.pending.set(id, { resolve, timer });
      worker.postMessage({ type: 'invoke', id, event, requestId });
    });
    this.writePlatform('platform.report', {
      requestId,
      status: outcome.ok ? 'success' : 'error',
      metrics: { durationMs: Date.now() - started },
    });
    return outcome;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    await worker?.terminate();
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
    this.log = undefined;
  }

  private spawn(): Promise<void> {
    const { functionName, kind, loaderModule, env, timeoutMs, memoryMb = 256 } = this.options;
    const worker = new Worker(WORKER_URL, {
      env: {
        ...env,
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
        AWS_LAMBDA_LOG_FORMAT: 'JSON',
        AWS_REGION: env.AWS_REGION ?? LOCAL_REGION,
        AWS_DEFAULT_REGION: env.AWS_REGION ?? LOCAL_REGION,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      },
      workerData: { loaderModule, kind, functionName, functionArn: this.functionArn, memoryMb, timeoutMs },
      stdout: true,
      stderr: true,
    });
    this.worker = worker;
    this.capture(worker.stdout, 'INFO');
    this.capture(worker.stderr, 'ERROR');
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'load-error') reject(message.error);
        else if (message.type === 'result' && message.id !== undefined) {
          const pending = this.pending.get(message.id);
          if (!pending) return;
          clearTimeout(pending.timer);
          this.pending.delete(message.id);
          pending.resolve(
            message.ok
              ? { ok: true, response: message.response }
              : { ok: false, error: message.error ?? { errorType: 'Error', errorMessage: 'unknown error' } },
          );
        }
      });
      worker.on('error', (error: Error) => {
        reject({ errorType: 'Runtime.UnhandledError', errorMessage: error.message });
        this.failPending('Runtime.UnhandledError', error.message);
      });
      worker.on('exit', (code) => {
        reject({ errorType: 'Runtime.ExitError', errorMessage: `sandbox exited with code ${code}` });
        if (this.worker === worker) {
          this.worker = undefined;
          this.ready = undefined;
        }
        this.failPending('Runtime.ExitError', `sandbox exited with code ${code} during the invocation`);
      });
    });
  }

  /** A fresh sandbox for the next invocation (after a timeout). */
  private reset(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    void worker?.terminate();
  }

  private failPending(errorType: string, errorMessage: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.resolve({ ok: false, error: { errorType, errorMessage } });
    }
  }

  private capture(stream: Readable, level: string): void {
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      if (!line.trim()) return;
      this.writeLine(
        isJsonObject(line) ? line : JSON.stringify({ timestamp: new Date().toISOString(), level, message: line }),
      );
    });
  }

  private writePlatform(type: string, record: Record<string, unknown>): void {
    this.writeLine(JSON.stringify({ time: new Date().toISOString(), type, record }));
  }

  private writeLine(line: string): void {
    if (!this.log) {
      mkdirSync(dirname(this.options.logFile), { recursive: true });
      this.log = createWriteStream(this.options.logFile, { flags: 'a' });
    }
    this.log.write(`${line}\n`);
  }
}

function isJsonObject(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const value = JSON.parse(line) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}
