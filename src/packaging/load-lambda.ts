/**
 * Runs a handler from its built zip, exactly the bytes setup uploads: the zip is unpacked once
 * per CodeSha256 under <PACKAGE_ROOT>/node_modules/.cache/stockpipe/lambdas/<sha>/, so the
 * bundle's external `@aws-sdk/*` imports resolve from stockpipe's own node_modules, as they
 * resolve from the runtime's SDK on AWS. Used by the local runner and the integration tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StockpipeError } from '../errors.ts';
import { LAMBDA_ENTRY_FILE, type LambdaFunction, PACKAGE_ROOT, readLambdaZip } from './lambda-zip.ts';
import { unzip } from './unzip.ts';

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
  /** The unpacked entry file that was imported. */
  entryPath: string;
}

export interface LoadLambdaOptions {
  /** Where the zips are (default dist/lambdas of the package). */
  zipDirectory?: string;
  /** Where to unpack (default <PACKAGE_ROOT>/node_modules/.cache/stockpipe/lambdas). */
  cacheDirectory?: string;
  /** A new module instance (own clients, own cold start) instead of the cached one. */
  fresh?: boolean;
}

let instances = 0;

export async function loadLambdaHandler<Event = unknown, Result = unknown>(
  fn: LambdaFunction,
  options: LoadLambdaOptions = {},
): Promise<LoadedLambda<Event, Result>> {
  const zip = await readLambdaZip(fn, options.zipDirectory);
  const entryPath = await unpackLambda(zip.bytes, options.cacheDirectory);
  const url = `${pathToFileURL(entryPath).href}${options.fresh ? `?instance=${++instances}` : ''}`;
  const module = (await import(url)) as { handler?: unknown };
  if (typeof module.handler !== 'function') {
    throw new StockpipeError(`${zip.path} does not export a handler function: run \`npm run build\` again`);
  }
  return { fn, handler: module.handler as LambdaHandler<Event, Result>, sha256: zip.sha256, entryPath };
}

/** Unpacks a zip once per content hash; returns the path of its entry file. */
export async function unpackLambda(bytes: Uint8Array, cacheDirectory?: string): Promise<string> {
  const hash = createHash('sha256').update(bytes).digest('hex');
  const primary = join(cacheDirectory ?? join(PACKAGE_ROOT, 'node_modules', '.cache', 'stockpipe', 'lambdas'), hash);
  try {
    return await extractInto(bytes, primary);
  } catch (error) {
    if (cacheDirectory || !isPermissionProblem(error)) throw error;
    // A read-only install (global, system-wide): unpack under the temp folder instead.
    return unpackLambdaLinked(bytes, join(tmpdir(), 'stockpipe-lambdas'));
  }
}

/**
 * Unpacks outside the package (under `directory`/<sha>/) and links a node_modules folder there
 * to the one stockpipe's AWS SDK resolves from, so the bundle's external imports still resolve.
 */
export async function unpackLambdaLinked(bytes: Uint8Array, directory: string): Promise<string> {
  const target = join(directory, createHash('sha256').update(bytes).digest('hex'));
  const entry = await extractInto(bytes, target);
  await linkNodeModules(target);
  return entry;
}

async function extractInto(bytes: Uint8Array, directory: string): Promise<string> {
  const entryPath = join(directory, LAMBDA_ENTRY_FILE);
  if (existsSync(entryPath)) return entryPath; // same hash, same content
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
  if (!existsSync(entryPath)) throw new StockpipeError(`the Lambda zip has no ${LAMBDA_ENTRY_FILE} at its root`);
  return entryPath;
}

async function linkNodeModules(directory: string): Promise<void> {
  const link = join(directory, 'node_modules');
  if (existsSync(link)) return;
  const resolved = fileURLToPath(import.meta.resolve('@aws-sdk/client-dynamodb'));
  const marker = `${sep}node_modules${sep}`;
  const target = resolved.slice(0, resolved.lastIndexOf(marker) + marker.length - 1);
  try {
    await symlink(target, link, 'dir');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function isPermissionProblem(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}

/** A Lambda-like context for local invocations: a deadline `timeoutMs` from now. */
export function lambdaContext(functionName: string, timeoutMs = 60_000): LambdaContextLike {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName,
    functionVersion: '$LATEST',
    awsRequestId: randomBytes(16).toString('hex'),
    memoryLimitInMB: '256',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}
