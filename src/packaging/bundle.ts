/**
 * esbuild for the Lambda handlers: one minified, tree-shaken ES module per function.
 *
 * Only the SDK's service clients (`@aws-sdk/client-*`) stay external: the nodejs22.x runtime ships
 * them, and bundling S3 + DynamoDB + SNS would push each package past 1 MiB. Everything else is
 * bundled — AWS does not promise the other `@aws-sdk` packages (lib-dynamodb, util-dynamodb) or
 * their `@smithy` helpers in the runtime and recommends bundling what a function depends on —
 * and so is Powertools, which the runtime does not have.
 */
import { build } from 'esbuild';
import { type LambdaFunction, PACKAGE_ROOT } from './lambda-zip.ts';

export const EXTERNAL_MODULES = ['@aws-sdk/client-*'];

export interface LambdaBundle {
  fn: LambdaFunction;
  code: Uint8Array;
  /** Bare imports left for the runtime to provide. */
  externals: string[];
}

export function lambdaEntryPoint(fn: LambdaFunction, root = PACKAGE_ROOT): string {
  return `${root}lambdas/${fn}/index.ts`;
}

export async function bundleLambda(fn: LambdaFunction, root = PACKAGE_ROOT): Promise<LambdaBundle> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [lambdaEntryPoint(fn, root)],
    outfile: 'index.mjs',
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    treeShaking: true,
    // Prefer the ES module builds of dependencies: they tree-shake and need no require().
    mainFields: ['module', 'main'],
    external: EXTERNAL_MODULES,
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no output for ${fn}`);
  const externals = new Set<string>();
  for (const meta of Object.values(result.metafile.outputs)) {
    for (const imported of meta.imports) {
      if (imported.external && !imported.path.startsWith('node:')) externals.add(imported.path);
    }
  }
  return { fn, code: output.contents, externals: [...externals].sort() };
}
