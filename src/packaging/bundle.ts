/**
 * esbuild for the Lambda handlers: one minified, tree-shaken ES module per function that imports
 * nothing but Node's `node:` built-ins. The SDK clients are bundled too: Lambda pins the runtime's
 * own SDK per runtime and updates it on its own schedule, and AWS's SDK guide says not to rely on
 * it in production. A runtime SDK older than the bundled lib-dynamodb breaks a zip that leaves the
 * clients external at load (`Named export 'SearchVectorsCommand' not found`); a zip that carries
 * its clients runs on a runtime SDK of any version, or none.
 */
import { isBuiltin } from 'node:module';
import { build, type Plugin } from 'esbuild';
import { type LambdaFunction, PACKAGE_ROOT } from './lambda-zip.ts';

export interface LambdaBundle {
  fn: LambdaFunction;
  code: Uint8Array;
  /** Every module the bundle imports (all `node:` built-ins when nothing is left external). */
  imports: string[];
}

export interface BundleOptions {
  root?: string;
  /** Bare imports to leave for the runtime (none for the zips we ship; tests build the old kind). */
  external?: string[];
}

export function lambdaEntryPoint(fn: LambdaFunction, root = PACKAGE_ROOT): string {
  return `${root}lambdas/${fn}/index.ts`;
}

/** Built-ins imported as `fs` or `node:fs` alike become `node:fs`: one spelling, plainly Node's. */
export const nodeBuiltins: Plugin = {
  name: 'node-builtins',
  setup(build) {
    build.onResolve({ filter: /^[a-z_:/]+$/ }, (args) =>
      isBuiltin(args.path)
        ? { path: args.path.startsWith('node:') ? args.path : `node:${args.path}`, external: true }
        : undefined,
    );
  },
};

export async function bundleLambda(fn: LambdaFunction, options: BundleOptions = {}): Promise<LambdaBundle> {
  const root = options.root ?? PACKAGE_ROOT;
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
    external: options.external ?? [],
    plugins: [nodeBuiltins],
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no output for ${fn}`);
  const imports = new Set<string>();
  for (const meta of Object.values(result.metafile.outputs)) {
    for (const imported of meta.imports) if (imported.external) imports.add(imported.path);
  }
  return { fn, code: output.contents, imports: [...imports].sort() };
}
