/**
 * The handler loader the local runner uses for real pipelines: the very zips `setup` uploads to
 * AWS (dist/lambdas/<fn>.zip), unpacked and imported. The runner imports this module by URL in
 * each Lambda sandbox and calls `loadLambdaHandler(fn)`.
 */
import { LAMBDA_FUNCTIONS, type LambdaFunction } from '../packaging/lambda-zip.ts';
import { loadLambdaHandler as loadFromZip } from '../packaging/load-lambda.ts';

/** This module's own URL (.ts under the tests, .js once built), for LocalPipeline.handlerLoader. */
export const BUNDLED_HANDLER_LOADER = import.meta.url;

export async function loadLambdaHandler(fn: string) {
  if (!(LAMBDA_FUNCTIONS as readonly string[]).includes(fn)) throw new Error(`no Lambda function '${fn}'`);
  return (await loadFromZip(fn as LambdaFunction)).handler;
}
