#!/usr/bin/env node
// Entry point: check the Node.js version, then load the compiled CLI and hand it the process.
// The CLI is imported dynamically so that the check runs first: an older Node would otherwise die
// on an import it lacks (e.g. `globSync` from node:fs) before saying anything useful.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(
    `stockpipe needs Node.js 22 or newer; this is ${process.version} (https://nodejs.org or 'npm i -g node@22')`,
  );
  process.exit(1);
}
// V8's compiled code for our modules, kept on disk (os.tmpdir()) between runs, as tsc does: a
// command starts without compiling the CLI's modules again.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { runFromProcess } = await import('../dist/cli/main.js');
await runFromProcess();
