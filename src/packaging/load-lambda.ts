/**
 * Runs a handler from its built zip, exactly the bytes setup uploads, the way Lambda does: the
 * zip is unpacked once per CodeSha256 into a task root under the temp folder, where no ancestor
 * has a node_modules folder, so the code resolves modules only from what the zip carries (a
 * zip that imports something it lacks fails here as on AWS); the Handler string picks the file
 * and export (user-function.ts). Used by the local runner and the integration tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';
import { StockpipeError } from '../errors.ts';
import { LAMBDA_HANDLER, type LambdaFunction, readLambdaZip } from './lambda-zip.ts';
import { unzip } from './unzip.ts';
import { loadUserFunction } from './user-function.ts';

/** The part of the Lambda context the handlers read. */
export interface LambdaContextLike {
  functionName: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
  [key: string]: unknown;
}

export type LambdaHandler<Event = unknown, Result = unknown> = (
  event: Event,
  context?: LambdaContextLike,
) => Promise<Result>;

export interface LoadedLambda<Event = unknown, Result = unknown> {
  fn: LambdaFunction;
  handler: LambdaHandler<Event, Result>;
  /** Base64 SHA-256 of the zip (CodeSha256). */
  sha256: string;
  /** The folder the zip was unpacked into (LAMBDA_TASK_ROOT). */
  taskRoot: string;
}

export interface LoadLambdaOptions {
  /** Where the zips are (default dist/lambdas of the package). */
  zipDirectory?: string;
  /** Where to unpack (default: defaultUnpackDirectory()). */
  cacheDirectory?: string;
  /** A new module instance (own clients, own cold start) instead of the cached one. */
  fresh?: boolean;
  /** The Handler string (default: what setup deploys). */
  handler?: string;
}

let instances = 0;

/** Under the temp folder, one per user: shared by every project and process of that user. */
export function defaultUnpackDirectory(): string {
  let user: string;
  try {
    user = String(userInfo().uid);
  } catch {
    user = 'user';
  }
  return join(tmpdir(), `stockpipe-lambdas-${user}`);
}

/** Unpacks the function's built zip (once per hash); returns its task root. */
export async function lambdaTaskRoot(
  fn: LambdaFunction,
  options: Pick<LoadLambdaOptions, 'zipDirectory' | 'cacheDirectory'> = {},
): Promise<{ taskRoot: string; sha256: string }> {
  const zip = await readLambdaZip(fn, options.zipDirectory);
  return { taskRoot: await unpackLambda(zip.bytes, options.cacheDirectory), sha256: zip.sha256 };
}

export async function loadLambdaHandler<Event = unknown, Result = unknown>(
  fn: LambdaFunction,
  options: LoadLambdaOptions = {},
): Promise<LoadedLambda<Event, Result>> {
  const { taskRoot, sha256 } = await lambdaTaskRoot(fn, options);
  const handler = await loadUserFunction(taskRoot, options.handler ?? LAMBDA_HANDLER, {
    ...(options.fresh ? { instance: String(++instances) } : {}),
  });
  return { fn, handler: handler as LambdaHandler<Event, Result>, sha256, taskRoot };
}

/**
 * Unpacks a zip once per content hash into `<directory>/<sha>/` and returns that task root.
 * Refuses a folder below a node_modules: Node would resolve the code's imports from there.
 */
export async function unpackLambda(bytes: Uint8Array, directory = defaultUnpackDirectory()): Promise<string> {
  const taskRoot = join(directory, createHash('sha256').update(bytes).digest('hex'));
  const leak = nodeModulesAbove(taskRoot);
  if (leak) {
    throw new StockpipeError(
      `cannot unpack the Lambda code under ${directory}: Node would resolve its imports from ${leak}, which Lambda never does`,
    );
  }
  await extractInto(bytes, taskRoot);
  return taskRoot;
}

/** The first node_modules folder Node's resolution would reach from `directory`, if any. */
export function nodeModulesAbove(directory: string): string | undefined {
  for (let current = dirname(directory); ; current = dirname(current)) {
    const candidate = join(current, 'node_modules');
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}

async function extractInto(bytes: Uint8Array, directory: string): Promise<void> {
  // A marker beside the task root (inside it, the code would see a file the zip lacks).
  const complete = `${directory}.unpacked`;
  if (existsSync(complete)) return; // same hash, same content
  await mkdir(directory, { recursive: true });
  for (const entry of unzip(bytes)) {
    const target = normalize(join(directory, entry.name));
    if (!target.startsWith(directory + sep)) throw new Error(`zip entry escapes its folder: ${entry.name}`);
    await mkdir(dirname(target), { recursive: true });
    // Write then rename: a concurrent process never imports half a file.
    const partial = `${target}.${randomBytes(6).toString('hex')}.partial`;
    await writeFile(partial, entry.content);
    await rename(partial, target);
  }
  await writeFile(complete, '');
}

/** A Lambda-like context for local invocations: a deadline `timeoutMs` from now. */
export function lambdaContext(functionName: string, timeoutMs = 60_000, memoryMb = 256): LambdaContextLike {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName,
    functionVersion: '$LATEST',
    awsRequestId: randomBytes(16).toString('hex'),
    memoryLimitInMB: String(memoryMb),
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}
