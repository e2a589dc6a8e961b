/**
 * A local Lambda function: a pool of sandboxes (worker threads, see sandbox.ts), one per
 * concurrent invocation as on Lambda — two shards invoking at once get two environments, so
 * module-level state is never shared between concurrent invocations. What the sandboxes print
 * goes to `logs/<fn>.log` as JSON lines: the handler's own JSON lines as they are (Powertools),
 * other lines wrapped as {timestamp, level, message}, plus platform.start / platform.report
 * lines as Lambda's JSON log format writes them. A timeout or crash is a function error and
 * retires the sandbox.
 */
import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../constants.ts';
import type { InvokeOutcome } from './delivery.ts';
import type { FunctionInvoker } from './invoker.ts';
import { ReopeningLog } from './reopening-log.ts';
import { Sandbox } from './sandbox.ts';

export type HandlerKind = 'ingest' | 'trends';

export interface LambdaHostOptions {
  functionName: string;
  kind: HandlerKind;
  /** File URL or path of a module exporting loadLambdaHandler(kind) → handler. */
  loaderModule: string;
  env: Record<string, string>;
  logFile: string;
  timeoutMs: number;
  memoryMb?: number;
  /** Most sandboxes at once (reserved concurrency); further invocations wait. */
  maxConcurrency?: number;
}

export class LambdaHost implements FunctionInvoker {
  readonly functionName: string;
  readonly functionArn: string;
  private readonly options: LambdaHostOptions;
  private readonly idle: Sandbox[] = [];
  private readonly all = new Set<Sandbox>();
  private readonly waiting: ((sandbox: Sandbox | undefined) => void)[] = [];
  private log: ReopeningLog | undefined;
  private closed = false;

  constructor(options: LambdaHostOptions) {
    this.options = options;
    this.functionName = options.functionName;
    this.functionArn = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${options.functionName}`;
  }

  /** Starts one sandbox and loads the handler in it; rejects with the load error. */
  async load(): Promise<void> {
    if (this.idle.length > 0 || this.all.size > 0) return;
    const sandbox = this.spawn();
    try {
      await sandbox.ready;
      this.release(sandbox);
    } catch (error) {
      this.all.delete(sandbox);
      throw error;
    }
  }

  async invoke(event: unknown): Promise<InvokeOutcome> {
    let sandbox: Sandbox | undefined;
    try {
      sandbox = await this.acquire();
    } catch (error) {
      const { errorType, errorMessage } = error as { errorType?: string; errorMessage?: string };
      return {
        ok: false,
        error: { errorType: errorType ?? 'Runtime.Error', errorMessage: errorMessage ?? String(error) },
      };
    }
    if (!sandbox)
      return { ok: false, error: { errorType: 'Runtime.Closed', errorMessage: 'the function is shutting down' } };
    const requestId = randomUUID();
    const started = Date.now();
    this.writePlatform('platform.start', { requestId, functionArn: this.functionArn, version: '$LATEST' });
    const outcome = await sandbox.invoke(event, requestId, this.options.timeoutMs);
    this.writePlatform('platform.report', {
      requestId,
      status: outcome.ok ? 'success' : outcome.error.errorType === 'Sandbox.Timedout' ? 'timeout' : 'error',
      metrics: { durationMs: Date.now() - started },
    });
    this.release(sandbox);
    return outcome;
  }

  /** Sandboxes currently alive (for status). */
  get sandboxes(): number {
    return this.all.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake(undefined);
    await Promise.all([...this.all].map((sandbox) => sandbox.terminate()));
    this.all.clear();
    this.idle.length = 0;
    const log = this.log;
    this.log = undefined;
    await new Promise<void>((resolve) => (log ? log.close(resolve) : resolve()));
  }

  private async acquire(): Promise<Sandbox | undefined> {
    if (this.closed) return undefined;
    for (let idle = this.idle.pop(); idle; idle = this.idle.pop()) {
      if (idle.alive) return idle;
      this.all.delete(idle); // died between invocations
    }
    if (this.all.size < (this.options.maxConcurrency ?? 10)) {
      const sandbox = this.spawn();
      try {
        await sandbox.ready;
      } catch (error) {
        this.all.delete(sandbox);
        throw error;
      }
      return sandbox;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(sandbox: Sandbox): void {
    if (!sandbox.alive || this.closed) {
      this.all.delete(sandbox);
      // A retired sandbox frees a slot: a waiter gets a fresh one.
      const wake = this.waiting.shift();
      if (wake) this.acquire().then(wake, () => wake(undefined));
      return;
    }
    const wake = this.waiting.shift();
    if (wake) wake(sandbox);
    else this.idle.push(sandbox);
  }

  private spawn(): Sandbox {
    const { functionName, kind, loaderModule, env, timeoutMs, memoryMb = 256 } = this.options;
    const sandbox = new Sandbox({
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
      onLine: (line, stream) => {
        const level = stream === 'stderr' ? 'ERROR' : 'INFO';
        this.writeLine(
          isJsonObject(line) ? line : JSON.stringify({ timestamp: new Date().toISOString(), level, message: line }),
        );
      },
    });
    this.all.add(sandbox);
    return sandbox;
  }

  private writePlatform(type: string, record: Record<string, unknown>): void {
    this.writeLine(JSON.stringify({ time: new Date().toISOString(), type, record }));
  }

  private writeLine(line: string): void {
    if (this.closed && !this.log) return;
    this.log ??= new ReopeningLog(this.options.logFile);
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
