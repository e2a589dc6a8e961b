/**
 * `npm run bench -- backtest`: `stockpipe backtest` over a 1,000,000-row CSV of one symbol (minute
 * bars, ~47 MB), the whole process timed; then, where a Python with pandas is found
 * (STOCKPIPE_BENCH_PYTHON, else python3), the same crossover in pandas on the same file in the same
 * run — `read_csv`, `rolling(5/20).mean()`, the crossings — and the ratio. Rows:
 * STOCKPIPE_BENCH_BACKTEST_ROWS. Each side runs STOCKPIPE_BENCH_BACKTEST_RUNS times (3), the two
 * taking turns, and the medians are reported: on a shared machine one run of either can be
 * slowed several-fold by a neighbour.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, report } from './_report.ts';

const BIN = fileURLToPath(new URL('../bin/stockpipe.js', import.meta.url));
const rows = Number(process.env.STOCKPIPE_BENCH_BACKTEST_ROWS ?? 1_000_000);
const runs = Number(process.env.STOCKPIPE_BENCH_BACKTEST_RUNS ?? 3);

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

interface Timed {
  seconds: number;
  stdout: string;
  peakMb?: number;
}

/** The highest peak RSS of the runs, when /usr/bin/time measured it. */
function peakOf(runs: Timed[]): number | undefined {
  const peaks = runs.flatMap((run) => (run.peakMb === undefined ? [] : [run.peakMb]));
  return peaks.length > 0 ? Math.max(...peaks) : undefined;
}

/** Wall seconds and peak RSS (MB, from /usr/bin/time when present) of one whole process. */
async function timed(command: string, args: string[]): Promise<Timed> {
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
  const python = pandasPython();
  if (!python) {
    console.error('backtest: no Python with pandas (set STOCKPIPE_BENCH_PYTHON): the pandas figures are left out');
  }
  const ours: Timed[] = [];
  const pandas: Timed[] = [];
  for (let run = 0; run < runs; run++) {
    const result = await timed(process.execPath, [BIN, 'backtest', '--file', file, '--symbol', 'X', '--json']);
    const output = JSON.parse(result.stdout) as { rows: number };
    if (output.rows !== rows) throw new Error(`backtest read ${output.rows} rows, not ${rows}`);
    ours.push(result);
    if (python) pandas.push(await timed(python, ['-c', PANDAS, file]));
  }
  const seconds = median(ours.map((run) => run.seconds));
  report('backtest', `csv_${rows}_rows_s`, seconds, 's');
  report('backtest', `csv_${rows}_rows_per_s`, rows / seconds, 'rows/s');
  const peak = peakOf(ours);
  if (peak !== undefined) report('backtest', `csv_${rows}_rows_peak_rss_mb`, peak, 'MB');
  if (python) {
    const pandasSeconds = median(pandas.map((run) => run.seconds));
    report('backtest', `pandas_csv_${rows}_rows_s`, pandasSeconds, 's');
    const pandasPeak = peakOf(pandas);
    if (pandasPeak !== undefined) report('backtest', `pandas_csv_${rows}_rows_peak_rss_mb`, pandasPeak, 'MB');
    report('backtest', 'ratio_to_pandas', seconds / pandasSeconds, 'ratio');
  }
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
