/**
 * A local Lambda function: a pool of sandboxes (worker threads, see sandbox.ts), one per
 * concurrent invocation as on Lambda — two shards invoking at once get two environments, so
 * module-level state is never shared between concurrent invocations. Each sandbox gets the
 * environment Lambda sets (src/packaging/lambda-definition.ts) for the function's definition:
 * its Handler, memory size and log format are the ones setup deploys. What the sandboxes print
 * goes to `logs/<fn>.log` as Lambda's JSON log format writes it: console output as
 * {timestamp, level, requestId, message} records, the handler's own JSON lines as they are
 * (Powertools), plus platform.start / platform.report records. A timeout or crash is a function
 * error and retires the sandbox.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  LAMBDA_DEFINITIONS,
  type LambdaDefinition,
  lambdaEnvironment,
  lambdaLogStreamName,
} from '../../packaging/lambda-definition.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../constants.ts';
import type { InvokeOutcome } from './delivery.ts';
import type { FunctionInvoker } from './invoker.ts';
import { ReopeningLog } from './reopening-log.ts';
import { Sandbox } from './sandbox.ts';

export type HandlerKind = 'ingest' | 'trends';

export interface LambdaHostOptions {
  functionName: string;
  kind: HandlerKind;
  /** File URL or path of a module exporting lambdaTaskRoot(kind) → folder, or loadLambdaHandler(kind) → handler. */
  loaderModule: string;
  /** A zip to run instead of the function's built one (passed to the loader's lambdaTaskRoot). */
  codeZip?: string;
  /** Handler, memory and log format (default: the definition of `kind`, as setup deploys it). */
  definition?: LambdaDefinition;
  env: Record<string, string>;
  logFile: string;
  /** The invocation timeout (default: the definition's). */
  timeoutMs?: number;
  /** Most sandboxes at once (reserved concurrency); further invocations wait. */
  maxConcurrency?: number;
}

export class LambdaHost implements FunctionInvoker {
  readonly functionName: string;
  readonly functionArn: string;
  private readonly options: LambdaHostOptions;
  private readonly definition: LambdaDefinition;
  private readonly idle: Sandbox[] = [];
  private readonly all = new Set<Sandbox>();
  private readonly waiting: ((sandbox: Sandbox | undefined) => void)[] = [];
  private log: ReopeningLog | undefined;
  private closed = false;

  constructor(options: LambdaHostOptions) {
    this.options = options;
    this.definition = options.definition ?? LAMBDA_DEFINITIONS[options.kind];
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
    const started = performance.now();
    this.writePlatform('platform.start', { requestId, version: '$LATEST' });
    const outcome = await sandbox.invoke(event, requestId, this.timeoutMs);
    const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    const initDurationMs = sandbox.takeInitDuration();
    this.writePlatform('platform.report', {
      requestId,
      metrics: {
        durationMs,
        billedDurationMs: Math.ceil(durationMs),
        memorySizeMB: this.definition.memoryMb,
        ...(initDurationMs !== undefined ? { initDurationMs: Math.round(initDurationMs * 1000) / 1000 } : {}),
      },
      status: outcome.ok ? 'success' : outcome.error.errorType === 'Sandbox.Timedout' ? 'timeout' : 'error',
    });
    this.release(sandbox);
    return outcome;
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? this.definition.timeoutSeconds * 1000;
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
    const { functionName, kind, loaderModule, env, codeZip } = this.options;
    const definition = this.definition;
    const region = env.AWS_REGION ?? LOCAL_REGION;
    const logStreamName = lambdaLogStreamName(new Date(), randomBytes(16).toString('hex'));
    const sandbox = new Sandbox({
      env: {
        ...env,
        // The worker sets LAMBDA_TASK_ROOT once the loader has unpacked the code.
        ...lambdaEnvironment({ definition, functionName, region, taskRoot: '', logStreamName }),
      },
      workerData: {
        loaderModule,
        kind,
        ...(codeZip ? { codeZip } : {}),
        handler: definition.handler,
        functionName,
        functionArn: this.functionArn,
        memoryMb: definition.memoryMb,
        timeoutMs: this.timeoutMs,
        logStreamName,
      },
      onLine: (line, stream) => {
        // Raw writes that are not JSON (the runtime's console is patched, so these are rare).
        const level = stream === 'stderr' ? 'ERROR' : 'INFO';
        this.writeLine(
          isJsonObject(line)
            ? line
            : JSON.stringify({
                timestamp: new Date().toISOString(),
                level,
                requestId: sandbox.requestId,
                message: line,
              }),
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
