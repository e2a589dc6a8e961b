/**
 * `npm run bench -- backtest`: `stockpipe backtest` over a 1,000,000-row CSV of one symbol (minute
 * bars, ~47 MB), the whole process timed; then, where a Python with pandas is found
 * (STOCKPIPE_BENCH_PYTHON, else python3), the same crossover in pandas on the same file in the same
 * run — `read_csv`, `rolling(5/20).mean()`, the crossings — and the ratio. Rows:
 * STOCKPIPE_BENCH_BACKTEST_ROWS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './_report.ts';

const BIN = fileURLToPath(new URL('../bin/stockpipe.js', import.meta.url));
const rows = Number(process.env.STOCKPIPE_BENCH_BACKTEST_ROWS ?? 1_000_000);

const PANDAS = `
import sys
import pandas as pd
close = pd.read_csv(sys.argv[1])['Close']
above = close.rolling(5).mean() > close.rolling(20).mean()
print(int((above != above.shift(1))[20:].sum()))
`;

/** Minute bars of a random walk, Yahoo's download header; deterministic (a fixed-seed LCG). */
async function writeBars(file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('Date,Open,High,Low,Close,Volume\n');
  let time = Date.UTC(2015, 0, 2, 14, 30);
  let price = 100;
  let seed = 1;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  let chunk = '';
  for (let n = 0; n < rows; n++) {
    price = Math.max(1, price * (1 + (random() - 0.5) * 0.004));
    const at = new Date(time).toISOString().slice(0, 19).replace('T', ' ');
    chunk += `${at},${(price * 0.999).toFixed(2)},${(price * 1.002).toFixed(2)},${(price * 0.997).toFixed(2)},${price.toFixed(2)},${Math.floor(random() * 100_000)}\n`;
    time += 60_000;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((resolve) => out.once('finish', () => resolve()));
}

/** Wall seconds and peak RSS (MB, from /usr/bin/time when present) of one whole process. */
async function timed(command: string, args: string[]): Promise<{ seconds: number; stdout: string; peakMb?: number }> {
  const gnuTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0;
  const [file, argv] = gnuTime ? ['/usr/bin/time', ['-f', 'peak_kb=%M', command, ...args]] : [command, args];
  const began = performance.now();
  const child = spawn(file, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const seconds = (performance.now() - began) / 1000;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`);
  const peak = /peak_kb=(\d+)/.exec(stderr)?.[1];
  return { seconds, stdout, ...(peak ? { peakMb: Number(peak) / 1024 } : {}) };
}

function pandasPython(): string | undefined {
  for (const python of [process.env.STOCKPIPE_BENCH_PYTHON, 'python3']) {
    if (python && spawnSync(python, ['-c', 'import pandas']).status === 0) return python;
  }
  return undefined;
}

const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-bench-backtest-'));
try {
  const file = join(cwd, 'bars.csv');
  await writeBars(file);
  const ours = await timed(process.execPath, [BIN, 'backtest', '--file', file, '--symbol', 'X', '--json']);
  const output = JSON.parse(ours.stdout) as { rows: number };
  if (output.rows !== rows) throw new Error(`backtest read ${output.rows} rows, not ${rows}`);
  report('backtest', `csv_${rows}_rows_s`, ours.seconds, 's');
  report('backtest', `csv_${rows}_rows_per_s`, rows / ours.seconds, 'rows/s');
  if (ours.peakMb !== undefined) report('backtest', `csv_${rows}_rows_peak_rss_mb`, ours.peakMb, 'MB');
  const python = pandasPython();
  if (!python) {
    console.error('backtest: no Python with pandas (set STOCKPIPE_BENCH_PYTHON): the pandas figures are left out');
  } else {
    const pandas = await timed(python, ['-c', PANDAS, file]);
    report('backtest', `pandas_csv_${rows}_rows_s`, pandas.seconds, 's');
    if (pandas.peakMb !== undefined) report('backtest', `pandas_csv_${rows}_rows_peak_rss_mb`, pandas.peakMb, 'MB');
    report('backtest', 'ratio_to_pandas', ours.seconds / pandas.seconds, 'ratio');
  }
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
