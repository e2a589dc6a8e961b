// Stops with one line on a Node.js too old for the test suite, before anything else runs: `npm test`
// runs it first (pretest) and scripts/test.mjs imports it. The tests run TypeScript through Node's
// type stripping, on by default from 22.18. (bin/stockpipe.js makes the same check for the CLI.)
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `stockpipe's tests need Node.js 22.18 or newer; this is ${process.version} (https://nodejs.org or 'npm i -g node@22')`,
  );
  process.exit(1);
}
