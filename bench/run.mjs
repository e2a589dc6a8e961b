#!/usr/bin/env node
// npm run bench -- <name>…  runs bench/<name>.ts; each prints JSON lines
// {"bench": "<name>", "metric": "<metric>", "value": <number>, "unit": "<unit>"}.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const available = readdirSync(new URL('.', import.meta.url))
  .filter((file) => file.endsWith('.ts') && !file.startsWith('_'))
  .map((file) => file.slice(0, -3))
  .sort();
const names = process.argv.slice(2);
if (names.length === 0) {
  console.error(`usage: npm run bench -- <name>…   (available: ${available.join(', ')})`);
  process.exit(2);
}
let failed = false;
for (const name of names) {
  const file = new URL(`./${name}.ts`, import.meta.url);
  if (!existsSync(file)) {
    console.error(`error: no benchmark '${name}' (available: ${available.join(', ')})`);
    process.exit(2);
  }
  const result = spawnSync(process.execPath, [fileURLToPath(file)], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
