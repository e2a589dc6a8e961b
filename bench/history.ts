/**
 * History at speed (issue 17): daily bars of 10 symbols replayed with `stream --source replay
 * --speed max` through the local pipeline until the lake holds every row, as a user runs it (the
 * CLI as child processes). Per size: rows/s until queryable (the producer's own rate in the same
 * run alongside), the daemon's peak RSS, the lake's objects per 1,000 rows and the count query's
 * time; then `backtest` over 1,000,000 rows generated into a temp file.
 *
 * Sizes: STOCKPIPE_BENCH_HISTORY_ROWS=10000,50000 (default 10000,50000,200000), of which
 * STOCKPIPE_BENCH_HISTORY_COMPACT_ROWS (default: all) are also compacted and counted again;
 * STOCKPIPE_BENCH_BACKTEST_ROWS (default 1000000).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { localStackStatus } from '../src/local/stack.ts';
import { readStackState } from '../src/local/state.ts';
import { parquetBytesPerQuery } from './_parquet-bytes.ts';
import { report } from './_report.ts';

const BIN = fileURLToPath(new URL('../bin/stockpipe.js', import.meta.url));
const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA', 'META', 'TSLA', 'IBM', 'ORCL', 'INTC'];
const sizes = (process.env.STOCKPIPE_BENCH_HISTORY_ROWS ?? '10000,50000,200000').split(',').map(Number);
const backtestRows = Number(process.env.STOCKPIPE_BENCH_BACKTEST_ROWS ?? 1_000_000);
/** Sizes also compacted and measured after (default: all); compaction time grows with the raw objects. */
const compactSizes = new Set(
  (process.env.STOCKPIPE_BENCH_HISTORY_COMPACT_ROWS ?? sizes.join(',')).split(',').filter(Boolean).map(Number),
);
const DRAIN_DEADLINE_MS = 45 * 60_000;

/** `rows` daily bars of the 10 symbols as NDJSON, day by day from 1971 (10 rows per date). */
async function writeDailyBars(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const start = Date.UTC(1971, 0, 1);
  let chunk = '';
  for (let n = 0; n < rows; n++) {
    const day = Math.floor(n / SYMBOLS.length);
    const s = n % SYMBOLS.length;
    const price = Number((50 + 10 * s + 20 * Math.sin(day / (9 + s)) + 5 * Math.sin(day / 2.3)).toFixed(2));
    const timestamp = new Date(start + day * 86_400_000).toISOString();
    chunk += `${JSON.stringify({ symbol: SYMBOLS[s], timestamp, price, open: price, high: price, low: price, volume: 1000 + day })}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((resolve) => out.once('finish', () => resolve()));
}

function run(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function runOk(args: string[], cwd: string) {
  const result = await run(args, cwd);
  if (result.code !== 0) throw new Error(`stockpipe ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
}

/** Peak resident set of a process (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** The lake's objects (s3rver keeps each as `<key>._S3rver_object`): raw/, raw-months/ and their compacted twins. */
function lakeObjects(s3Dir: string): { objects: number; bytes: number; parquet: string[] } {
  let objects = 0;
  let bytes = 0;
  const parquet: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('._S3rver_object') && /\/(raw|raw-months|compacted|compacted-months)\//.test(path)) {
        objects++;
        bytes += statSync(path).size;
        if (/\/compacted(-months)?\//.test(path)) parquet.push(path);
      }
    }
  };
  walk(s3Dir);
  return { objects, bytes, parquet };
}

/** Rows per second of `stream --dry-run` over the file: the producer with no pipeline behind it. */
async function producerRate(file: string, cwd: string): Promise<number> {
  const child = spawn(process.execPath, [BIN, 'stream', '--source', 'replay', '--file', file, '--dry-run'], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const code = await new Promise<number>((resolve) => child.once('close', (exit) => resolve(exit ?? 1)));
  const rate = /([\d.]+) events\/s/.exec(stderr)?.[1];
  if (code !== 0 || !rate) throw new Error(`stream --dry-run exited ${code}: ${stderr}`);
  return Number(rate);
}

async function replay(rows: number): Promise<void> {
  const cwd = mkdtempSync(join(tmpdir(), `stockpipe-bench-history-${rows}-`));
  const file = join(cwd, 'daily.ndjson');
  try {
    await writeDailyBars(file, rows);
    const producerOnly = await producerRate(file, cwd);
    await runOk(['setup', '--target', 'local', '--yes'], cwd);
    const pid = readStackState(cwd)?.pid as number;
    const began = performance.now();
    const stream = await runOk(['stream', '--target', 'local', '--source', 'replay', '--file', file, '--json'], cwd);
    const streamed = performance.now();
    const summary = JSON.parse(stream.stdout.trim().split('\n').at(-1) as string) as {
      events_per_s: number;
      sent: number;
    };
    const deadline = Date.now() + DRAIN_DEADLINE_MS;
    for (;;) {
      const status = await localStackStatus(cwd);
      const ingest = status.daemon?.pipelines
        .find((p) => p.name === 'stockpipe')
        ?.functions.find((fn) => fn.function === 'stockpipe-ingest');
      if ((ingest?.recordsSucceeded ?? 0) >= rows) break;
      if (Date.now() > deadline) throw new Error(`ingest stored ${ingest?.recordsSucceeded} of ${rows} rows in time`);
      await sleep(250);
    }
    const queryStarted = performance.now();
    const count = await runOk(
      ['query', 'sql', 'SELECT count(*) AS n FROM stock_data_table', '--target', 'local', '--format', 'json'],
      cwd,
    );
    const queried = performance.now();
    const n = Number((JSON.parse(count.stdout) as { n: number | string }[])[0]?.n);
    if (n !== rows) throw new Error(`the lake holds ${n} rows, not ${rows}`);
    const seconds = (queried - began) / 1000;
    const lake = lakeObjects(join(cwd, '.stockpipe', 'local', 's3'));
    const prefix = `replay_${rows}`;
    report('history', `${prefix}_until_queryable_s`, seconds, 's');
    report('history', `${prefix}_rows_per_s`, rows / seconds, 'rows/s');
    // The producer alone (a dry run of the same file, events to nowhere); through the pipeline
    // `stream` paces itself to what the stack absorbs, so its own rate is the pipeline's.
    report('history', `${prefix}_producer_alone_rows_per_s`, producerOnly, 'rows/s');
    report('history', `${prefix}_stream_paced_rows_per_s`, summary.events_per_s, 'rows/s');
    report('history', `${prefix}_stream_s`, (streamed - began) / 1000, 's');
    report('history', `${prefix}_count_query_s`, (queried - queryStarted) / 1000, 's');
    report('history', `${prefix}_daemon_peak_rss_mb`, peakRssMb(pid), 'MB');
    report('history', `${prefix}_lake_objects`, lake.objects, 'objects');
    report('history', `${prefix}_lake_objects_per_1000_rows`, (lake.objects / rows) * 1000, 'objects');
    report('history', `${prefix}_lake_bytes`, lake.bytes, 'bytes');

    if (!compactSizes.has(rows)) return;
    const compactStarted = performance.now();
    await runOk(['compact', '--target', 'local', '--json'], cwd);
    report('history', `${prefix}_compact_s`, (performance.now() - compactStarted) / 1000, 's');
    const recountStarted = performance.now();
    const recount = await runOk(
      ['query', 'sql', 'SELECT count(*) AS n FROM stock_data_table', '--target', 'local', '--format', 'json'],
      cwd,
    );
    const after = Number((JSON.parse(recount.stdout) as { n: number | string }[])[0]?.n);
    if (after !== rows) throw new Error(`after compaction the lake holds ${after} rows, not ${rows}`);
    report('history', `${prefix}_compacted_count_query_s`, (performance.now() - recountStarted) / 1000, 's');
    const compacted = lakeObjects(join(cwd, '.stockpipe', 'local', 's3'));
    report('history', `${prefix}_compacted_lake_objects`, compacted.objects, 'objects');
    report('history', `${prefix}_compacted_lake_objects_per_1000_rows`, (compacted.objects / rows) * 1000, 'objects');
    report('history', `${prefix}_compacted_lake_bytes`, compacted.bytes, 'bytes');
    for (const [name, bytes] of Object.entries(await parquetBytesPerQuery(compacted.parquet))) {
      report('history', `${prefix}_${name}_bytes_read_parquet`, bytes, 'bytes');
      report('history', `${prefix}_${name}_bytes_read_ratio_parquet_vs_gzip_ndjson`, bytes / lake.bytes, 'ratio');
    }
  } finally {
    await run(['cleanup', '--target', 'local', '--yes'], cwd);
    rmSync(cwd, { recursive: true, force: true });
  }
}

async function backtest(rows: number): Promise<void> {
  const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-bench-backtest-'));
  try {
    const file = join(cwd, 'daily.ndjson');
    await writeDailyBars(file, rows);
    const began = performance.now();
    const result = await runOk(['backtest', '--file', file, '--json'], cwd);
    const seconds = (performance.now() - began) / 1000;
    const output = JSON.parse(result.stdout) as { rows: number };
    if (output.rows !== rows) throw new Error(`backtest read ${output.rows} rows, not ${rows}`);
    report('history', `backtest_${rows}_s`, seconds, 's');
    report('history', `backtest_${rows}_rows_per_s`, rows / seconds, 'rows/s');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

await backtest(backtestRows);
for (const rows of sizes) await replay(rows);
