/** `npm run build:lambdas`: bundle each handler and write dist/lambdas/<fn>.zip. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type BundleOptions, bundleLambda } from './bundle.ts';
import { deterministicZip } from './deterministic-zip.ts';
import { codeSha256, LAMBDA_ENTRY_FILE, LAMBDA_FUNCTIONS, type LambdaFunction, lambdaZipPath } from './lambda-zip.ts';

export interface BuiltLambda {
  fn: LambdaFunction;
  path: string;
  bytes: number;
  sha256: string;
  imports: string[];
}

/** The zip of one function, in memory: index.mjs at the root, exporting `handler`. */
export async function packageLambda(
  fn: LambdaFunction,
  options: BundleOptions = {},
): Promise<{ zip: Buffer; imports: string[] }> {
  const bundle = await bundleLambda(fn, options);
  const zip = await deterministicZip([{ name: LAMBDA_ENTRY_FILE, content: bundle.code }]);
  return { zip, imports: bundle.imports };
}

export async function buildLambdas(
  functions: readonly LambdaFunction[] = LAMBDA_FUNCTIONS,
  directory?: string,
): Promise<BuiltLambda[]> {
  return Promise.all(
    functions.map(async (fn) => {
      const { zip, imports } = await packageLambda(fn);
      const path = lambdaZipPath(fn, directory);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, zip);
      return { fn, path, bytes: zip.byteLength, sha256: codeSha256(zip), imports };
    }),
  );
}
