/**
 * The handler loader the local runner uses for real pipelines: the very zips `setup` uploads to
 * AWS (dist/lambdas/<fn>.zip), unpacked into a task root. The runner imports this module by URL
 * in each Lambda sandbox, asks for the task root, and loads the function's Handler from there as
 * the runtime does (src/packaging/user-function.ts).
 */
import { readFile } from 'node:fs/promises';
import { LAMBDA_FUNCTIONS, type LambdaFunction } from '../packaging/lambda-zip.ts';
import { lambdaTaskRoot as unpackedTaskRoot, unpackLambda } from '../packaging/load-lambda.ts';

/** This module's own URL (.ts under the tests, .js once built), for LocalPipeline.handlerLoader. */
export const BUNDLED_HANDLER_LOADER = import.meta.url;

/** The built zip of `fn`, or `codeZip` when the pipeline runs its own package (a strategy file). */
export async function lambdaTaskRoot(fn: string, codeZip?: string): Promise<string> {
  if (!(LAMBDA_FUNCTIONS as readonly string[]).includes(fn)) throw new Error(`no Lambda function '${fn}'`);
  if (codeZip) return unpackLambda(await readFile(codeZip));
  return (await unpackedTaskRoot(fn as LambdaFunction)).taskRoot;
}
