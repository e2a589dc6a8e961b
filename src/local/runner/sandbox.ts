/**
 * One Lambda execution environment: a worker thread (see lambda-worker.ts) with the function's
 * own process.env and module graph, running one invocation at a time. Its stdout and stderr
 * lines go to `onLine`.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { InvokeOutcome } from './delivery.ts';

interface WorkerMessage {
  type: 'ready' | 'load-error' | 'result';
  initDurationMs?: number;
  id?: number;
  ok?: boolean;
  response?: unknown;
  error?: { errorType: string; errorMessage: string };
}

export interface SandboxOptions {
  env: Record<string, string>;
  workerData: Record<string, unknown>;
  onLine(line: string, stream: 'stdout' | 'stderr'): void;
}

/**
 * Each execution environment's V8 heap. The handlers need under 40 MB; without a cap V8 lets each
 * of the four isolates grow its heap before collecting, and under a long replay the daemon held
 * ~120 MB more (50k rows: 529 → 410 MB peak, same speed). A handler that outgrows it dies like a
 * Lambda out of memory: a function error, retried in a fresh sandbox.
 */
const SANDBOX_HEAP_LIMITS = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 8 };

const WORKER_URL = new URL(`./lambda-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export class Sandbox {
  /** False once it crashed, timed out or was terminated: never reuse it. */
  alive = true;
  readonly ready: Promise<void>;
  /** The invocation running now, for lines printed outside the patched console. */
  requestId: string | undefined;
  private initDurationMs: number | undefined;
  private readonly worker: Worker;
  private pending: { id: number; resolve(outcome: InvokeOutcome): void } | undefined;
  private nextId = 1;

  constructor(options: SandboxOptions) {
    this.worker = new Worker(WORKER_URL, {
      env: options.env,
      workerData: options.workerData,
      stdout: true,
      stderr: true,
      resourceLimits: SANDBOX_HEAP_LIMITS,
    });
    capture(this.worker.stdout, (line) => options.onLine(line, 'stdout'));
    capture(this.worker.stderr, (line) => options.onLine(line, 'stderr'));
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          this.initDurationMs = message.initDurationMs;
          resolve();
        } else if (message.type === 'load-error') reject(message.error);
        else if (message.type === 'result' && this.pending && message.id === this.pending.id) {
          const { resolve: settle } = this.pending;
          this.pending = undefined;
          settle(
            message.ok
              ? { ok: true, response: message.response }
              : { ok: false, error: message.error ?? { errorType: 'Error', errorMessage: 'unknown error' } },
          );
        }
      });
      this.worker.on('error', (error: Error) => {
        const errorType =
          (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? 'Runtime.OutOfMemory'
            : 'Runtime.UnhandledError';
        reject({ errorType, errorMessage: error.message });
        this.fail(errorType, error.message);
      });
      this.worker.on('exit', (code) => {
        reject({ errorType: 'Runtime.ExitError', errorMessage: `sandbox exited with code ${code}` });
        this.fail('Runtime.ExitError', `sandbox exited with code ${code} during the invocation`);
      });
    });
    this.ready.catch(() => {
      this.alive = false;
    });
  }

  /** The init duration, once: the first invocation's report carries it (a cold start). */
  takeInitDuration(): number | undefined {
    const value = this.initDurationMs;
    this.initDurationMs = undefined;
    return value;
  }

  /** One invocation; a timeout ends the sandbox (as Lambda does) and is a function error. */
  invoke(event: unknown, requestId: string, timeoutMs: number): Promise<InvokeOutcome> {
    if (!this.alive) {
      return Promise.resolve({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: 'sandbox is gone' } });
    }
    this.requestId = requestId;
    return new Promise<InvokeOutcome>((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        if (this.pending?.id !== id) return;
        this.pending = undefined;
        const seconds = (timeoutMs / 1000).toFixed(2);
        resolve({
          ok: false,
          error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${seconds} seconds` },
        });
        void this.terminate();
      }, timeoutMs);
      this.pending = {
        id,
        resolve: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      };
      this.worker.postMessage({ type: 'invoke', id, event, requestId });
    });
  }

  async terminate(): Promise<void> {
    this.alive = false;
    await this.worker.terminate();
  }

  private fail(errorType: string, errorMessage: string): void {
    this.alive = false;
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve({ ok: false, error: { errorType, errorMessage } });
  }
}

function capture(stream: Readable, onLine: (line: string) => void): void {
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on('line', (line) => {
    if (line.trim()) onLine(line);
  });
}
