/**
 * Start-up cost of the CLI: median wall time of a whole `stockpipe --help` process against the
 * median of an empty `node -e 0`, measured alternately in the same run.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, report } from './_report.ts';

const RUNS = 21;
const bin = fileURLToPath(new URL('../bin/stockpipe.js', import.meta.url));

function timeProcess(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

timeProcess([bin, '--help']); // warm the file cache
const help: number[] = [];
const baseline: number[] = [];
for (let i = 0; i < RUNS; i++) {
  baseline.push(timeProcess(['-e', '0']));
  help.push(timeProcess([bin, '--help']));
}
const helpMs = median(help);
const baselineMs = median(baseline);
report('cli', 'help_ms', helpMs, 'ms');
report('cli', 'node_baseline_ms', baselineMs, 'ms');
report('cli', 'help_vs_baseline', helpMs / baselineMs, 'ratio');
