/**
 * `npm run bench -- query`: `stockpipe query sql` on the local target printing 1,000, 10,000 and
 * 100,000 rows as a table (piped, so every row is drawn) beside `--format json`, the whole process
 * timed, with its peak RSS where /usr/bin/time is present. The rows come from DuckDB's range(), so
 * the figures are the output's cost, not the lake's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './_report.ts';

const BIN = fileURLToPath(new URL('../bin/stockpipe.js', import.meta.url));
const SIZES = [1_000, 10_000, 100_000];
const gnuTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0;

async function timed(args: string[], cwd: string): Promise<{ seconds: number; bytes: number; peakMb?: number }> {
  const [file, argv] = gnuTime
    ? ['/usr/bin/time', ['-f', 'peak_kb=%M', process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  const began = performance.now();
  const child = spawn(file, argv as string[], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let bytes = 0;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const seconds = (performance.now() - began) / 1000;
  if (code !== 0) throw new Error(`stockpipe ${args.join(' ')} exited ${code}: ${stderr}`);
  const peak = /peak_kb=(\d+)/.exec(stderr)?.[1];
  return { seconds, bytes, ...(peak ? { peakMb: Number(peak) / 1024 } : {}) };
}

const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-bench-query-'));
try {
  await timed(['setup', '--target', 'local', '--yes'], cwd);
  for (const rows of SIZES) {
    const sql = `SELECT range AS n, 'AAPL' AS symbol, '2026-12-06T13:36:58.' || lpad((range % 1000)::VARCHAR, 3, '0') || 'Z' AS timestamp, 100 + range / 7.0 AS price, 'event-' || range AS event_id FROM range(${rows})`;
    for (const format of ['table', 'json'] as const) {
      const run = await timed(['query', 'sql', sql, '--target', 'local', '--format', format], cwd);
      report('query', `${format}_${rows}_rows_s`, run.seconds, 's');
      if (run.peakMb !== undefined) report('query', `${format}_${rows}_rows_peak_rss_mb`, run.peakMb, 'MB');
    }
  }
} finally {
  spawnSync(process.execPath, [BIN, 'cleanup', '--target', 'local', '--yes'], { cwd, stdio: 'ignore' });
  rmSync(cwd, { recursive: true, force: true });
}
