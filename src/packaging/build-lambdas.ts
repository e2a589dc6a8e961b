/** `npm run build:lambdas`: bundle each handler and write dist/lambdas/<fn>.zip. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bundleLambda } from './bundle.ts';
import { deterministicZip } from './deterministic-zip.ts';
import { codeSha256, LAMBDA_ENTRY_FILE, LAMBDA_FUNCTIONS, type LambdaFunction, lambdaZipPath } from './lambda-zip.ts';

export interface BuiltLambda {
  fn: LambdaFunction;
  path: string;
  bytes: number;
  sha256: string;
  externals: string[];
}

/** The zip of one function, in memory: index.mjs at the root, exporting `handler`. */
export async function packageLambda(fn: LambdaFunction): Promise<{ zip: Buffer; externals: string[] }> {
  const bundle = await bundleLambda(fn);
  const zip = await deterministicZip([{ name: LAMBDA_ENTRY_FILE, content: bundle.code }]);
  return { zip, externals: bundle.externals };
}

export async function buildLambdas(
  functions: readonly LambdaFunction[] = LAMBDA_FUNCTIONS,
  directory?: string,
): Promise<BuiltLambda[]> {
  return Promise.all(
    functions.map(async (fn) => {
      const { zip, externals } = await packageLambda(fn);
      const path = lambdaZipPath(fn, directory);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, zip);
      return { fn, path, bytes: zip.byteLength, sha256: codeSha256(zip), externals };
    }),
  );
}
