#!/usr/bin/env node
// npm run build:lambdas — bundles lambdas/<fn> with esbuild and writes dist/lambdas/<fn>.zip.
// The logic lives in src/packaging (compiled to dist/ by `tsc`), so the tool owns it.
import { existsSync } from 'node:fs';

const builder = new URL('../dist/packaging/build-lambdas.js', import.meta.url);
if (!existsSync(builder)) {
  console.error('error: dist/ is missing: run `npm run build` (it compiles, then packages the Lambdas)');
  process.exit(1);
}
const { buildLambdas } = await import(builder.href);
for (const built of await buildLambdas()) {
  console.error(
    `lambdas: ${built.fn}.zip ${(built.bytes / 1024).toFixed(1)} KiB sha256=${built.sha256} imports=${built.imports.join(',')}`,
  );
}
