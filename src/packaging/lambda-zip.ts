/**
 * Where the built Lambda packages live and how they are read. `npm run build` writes
 * dist/lambdas/<fn>.zip (deterministic bytes); setup uploads them, the local runner runs them.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { StockpipeError } from '../errors.ts';

export const LAMBDA_FUNCTIONS = ['ingest', 'trends'] as const;
export type LambdaFunction = (typeof LAMBDA_FUNCTIONS)[number];

/** The entry file at the root of every zip; it exports `handler`. */
export const LAMBDA_ENTRY_FILE = 'index.mjs';
/** What setup passes as the function's Handler. */
export const LAMBDA_HANDLER = 'index.handler';
export const LAMBDA_RUNTIME = 'nodejs22.x' as const;
/** arm64 (Graviton): the same code for less money per GB-second than x86_64. */
export const LAMBDA_ARCHITECTURE = 'arm64';

/** The package root: two levels above both src/packaging and dist/packaging. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function lambdaZipPath(fn: LambdaFunction, directory = `${PACKAGE_ROOT}dist/lambdas`): string {
  return `${directory}/${fn}.zip`;
}

export interface LambdaZip {
  fn: LambdaFunction;
  path: string;
  bytes: Uint8Array;
  /** Base64 SHA-256 of the zip: what Lambda reports as CodeSha256. */
  sha256: string;
}

export async function readLambdaZip(fn: LambdaFunction, directory?: string): Promise<LambdaZip> {
  const path = lambdaZipPath(fn, directory);
  if (!existsSync(path)) {
    throw new StockpipeError(
      `the ${fn} Lambda package is missing (${path}): run \`npm run build\` in the stockpipe folder`,
    );
  }
  const bytes = await readFile(path);
  return { fn, path, bytes, sha256: codeSha256(bytes) };
}

export function codeSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}
