/**
 * Bounded memory, measured (issue 16). Two parts, both through the real CLI (bin/stockpipe.js):
 *   1. `stream --source synthetic --count 400000 --interval 0 --dry-run`: the producer's peak RSS
 *      (`dry_run_400k_peak_rss_mb`, goal < 150 MB) — it must hold no more than its batcher's buffer.
 *   2. a soak: one local pipeline, 8 symbols every 40 ms (200 events/s nominal) for SOAK_DURATION
 *      (default 5m). Reports produced / ingested / quarantined / superseded (`missing` = produced −
 *      ingested − quarantined − superseded, goal 0), the peak and final RSS of `stream`, and the daemon's RSS after
 *      warm-up (SOAK_WARMUP, default a sixth of the run up to 5 minutes), at the end of the stream,
 *      its peak, and after 30 s idle
 *      (`daemon_rss_growth_after_warmup_mb`, goal < 20 MB over 30 minutes), and at half time, for the
 *      growth of the second half (`daemon_rss_growth_second_half_mb`): a leak's is as large as the first's;
 *      and the growth between the medians of the minute after warm-up and of the last minute
 *      (`daemon_rss_median_growth_after_warmup_mb`), which a collection's timing does not sway; and
 *      the same from the first minute's median (`daemon_rss_median_growth_after_first_minute_mb`).
 * RSS is read from /proc (Linux): VmHWM for peaks, VmRSS for points in time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { globSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseDuration } from '../src/core/duration.ts';
import { bucketNames, pipelineNames } from '../src/core/names.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../src/local/constants.ts';
import { functionLogFile, localPaths } from '../src/local/paths.ts';
import { localStackStatus, stopLocalStack } from '../src/local/stack.ts';
import { readStackState } from '../src/local/state.ts';
import { ingestSummaries } from '../src/logs/ingest-summaries.ts';
import { report } from './_report.ts';

const BIN = fileURLToPath(new URL('../bin/stockpipe.js', import.meta.url));
const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA', 'META', 'TSLA', 'IBM'];
const DURATION = process.env.SOAK_DURATION ?? '5m';
/**
 * Warm-up: the daemon's six isolates take about five minutes at 200 events/s to grow their heaps
 * to their working size (with --trace-gc, committed 172 → 186 MB by minute 6, 190 at minute 15,
 * while what each collection leaves live stays at 92–96 MB); growth after that is what a leak
 * would show.
 */
const WARMUP_MS = process.env.SOAK_WARMUP
  ? parseDuration(process.env.SOAK_WARMUP)
  : Math.min(300_000, parseDuration(DURATION) / 6);
const MB = 1024 * 1024;

/** kB figures of /proc/<pid>/status, in MB; undefined once the process is gone. */
function memory(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    const rss = (field('VmRSS') * 1024) / MB;
    const peak = (field('VmHWM') * 1024) / MB;
    // A process that has exited but not been reaped has no memory figures left.
    return Number.isFinite(rss) && Number.isFinite(peak) ? { rss, peak } : undefined;
  } catch {
    return undefined;
  }
}

function cli(args: string[], cwd: string, stdout: 'pipe' | 'ignore' = 'pipe'): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', stdout, 'pipe'],
  });
}

/** Waits for the CLI to finish while sampling its memory; its stdout and the last sample. */
async function runSampled(
  child: ChildProcess,
  what: string,
  onSample: (sample: { rss: number; peak: number }) => void = () => undefined,
): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  let done = false;
  void closed.then(() => {
    done = true;
  });
  while (!done) {
    const sample = child.pid === undefined ? undefined : memory(child.pid);
    if (sample) onSample(sample);
    await Promise.race([sleep(200), closed]);
  }
  const code = await closed;
  if (code !== 0) throw new Error(`stockpipe ${what} exited ${code}: ${stderr}`);
  return stdout;
}

const run = (args: string[], cwd: string) => runSampled(cli(args, cwd), args[0] ?? '');

async function counters(cwd: string, pipeline: string) {
  const status = await localStackStatus(cwd);
  const functions = status.daemon?.pipelines.find((p) => p.name === pipeline)?.functions ?? [];
  const ingest = functions.find((fn) => fn.function === `${pipeline}-ingest`);
  return { read: ingest?.recordsRead ?? 0, lastError: ingest?.lastError ?? null };
}

/** Records in the lake under a prefix (gzip NDJSON batches, or one JSON object per quarantined record). */
function lakeRecords(cwd: string, pipeline: string, prefix: 'raw' | 'raw-months' | 'quarantine'): number {
  const bucket = bucketNames(pipeline, LOCAL_ACCOUNT, LOCAL_REGION).raw;
  const files = globSync(join(localPaths(cwd).s3Dir, bucket, prefix, '**', '*._S3rver_object'));
  if (prefix === 'quarantine') return files.length;
  let count = 0;
  for (const file of files) {
    const body = readFileSync(file);
    const text = body[0] === 0x1f && body[1] === 0x8b ? gunzip(body) : body.toString('utf8');
    count += text.split('\n').filter((line) => line.trim() !== '').length;
  }
  return count;
}

/** The median RSS of the samples taken from `from` to `to` ms into the stream. */
function medianRss(samples: { at: number; rss: number }[], from: number, to: number): number {
  const window = samples
    .filter((sample) => sample.at >= from && sample.at <= to)
    .map((sample) => sample.rss)
    .sort((a, b) => a - b);
  return window.length === 0 ? Number.NaN : (window[Math.floor(window.length / 2)] as number);
}

function gunzip(body: Buffer): string {
  return gunzipSync(body).toString('utf8');
}

// 1. The producer alone, 400k events printed to nowhere.
{
  const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-bench-dry-'));
  try {
    let peak = 0;
    const args = ['stream', '--source', 'synthetic', '--symbol', 'AAPL', '--symbol', 'MSFT'];
    await runSampled(
      cli([...args, '--count', '400000', '--interval', '0', '--dry-run'], cwd, 'ignore'),
      'stream --dry-run',
      (sample) => {
        peak = Math.max(peak, sample.peak);
      },
    );
    report('soak', 'dry_run_400k_peak_rss_mb', peak, 'MB');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

// 2. The soak.
const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-bench-soak-'));
const pipeline = 'soak';
try {
  await run(['setup', '--target', 'local', '--name', pipeline, '--yes'], cwd);
  const daemonPid = readStackState(cwd)?.pid;
  if (daemonPid === undefined) throw new Error('no local stack after setup');
  const daemonAtStart = memory(daemonPid)?.rss ?? Number.NaN;
  const started = Date.now();
  let streamPeak = 0;
  let streamLast = 0;
  let streamAtWarmup = Number.NaN;
  let daemonAtWarmup = Number.NaN;
  let daemonAtHalf = Number.NaN;
  // Every sample of the daemon while it streams: one reading catches a collection's high or low
  // (±10 MB a minute apart), a minute's median does not.
  const daemonSamples: { at: number; rss: number }[] = [];
  const symbolArgs = SYMBOLS.flatMap((symbol) => ['--symbol', symbol]);
  const summary = await runSampled(
    cli(
      [
        'stream',
        '--target',
        'local',
        '--name',
        pipeline,
        '--source',
        'synthetic',
        ...symbolArgs,
        '--interval',
        '40ms',
        '--duration',
        DURATION,
      ],
      cwd,
    ),
    'stream',
    (sample) => {
      streamPeak = Math.max(streamPeak, sample.peak);
      streamLast = sample.rss;
      const daemon = memory(daemonPid);
      if (daemon) daemonSamples.push({ at: Date.now() - started, rss: daemon.rss });
      if (Number.isNaN(streamAtWarmup) && Date.now() - started >= WARMUP_MS) {
        streamAtWarmup = sample.rss;
        daemonAtWarmup = memory(daemonPid)?.rss ?? Number.NaN;
      }
      if (Number.isNaN(daemonAtHalf) && Date.now() - started >= parseDuration(DURATION) / 2) {
        daemonAtHalf = memory(daemonPid)?.rss ?? Number.NaN;
      }
    },
  );
  const elapsed = (Date.now() - started) / 1000;
  const match = /sent (\d+) · failed (\d+)/.exec(summary);
  if (!match) throw new Error(`unexpected stream summary: ${summary}`);
  const produced = Number(match[1]);
  const daemonAtEnd = memory(daemonPid)?.rss ?? Number.NaN;
  const deadline = Date.now() + 120_000;
  while ((await counters(cwd, pipeline)).read < produced && Date.now() < deadline) await sleep(250);
  await sleep(30_000); // idle
  const daemonIdle = memory(daemonPid);
  const daemonHeap = (await localStackStatus(cwd)).daemon?.memory;
  const ingested = lakeRecords(cwd, pipeline, 'raw') + lakeRecords(cwd, pipeline, 'raw-months');
  const quarantined = lakeRecords(cwd, pipeline, 'quarantine');
  // Replaced in their batch by a later observation of the same symbol and time: never in the lake.
  const { superseded } = ingestSummaries(
    readFileSync(functionLogFile(localPaths(cwd), pipelineNames(pipeline).ingestFunction), 'utf8'),
    0,
  );
  report('soak', 'duration_s', elapsed, 's');
  report('soak', 'events_per_s', produced / elapsed, 'events/s');
  report('soak', 'produced', produced, 'events');
  report('soak', 'failed_to_send', Number(match[2]), 'events');
  report('soak', 'ingested', ingested, 'events');
  report('soak', 'quarantined', quarantined, 'events');
  report('soak', 'superseded', superseded, 'events');
  report('soak', 'missing', produced - ingested - quarantined - superseded, 'events');
  report('soak', 'stream_peak_rss_mb', streamPeak, 'MB');
  report('soak', 'stream_rss_after_warmup_mb', streamAtWarmup, 'MB');
  report('soak', 'stream_final_rss_mb', streamLast, 'MB');
  report('soak', 'daemon_rss_at_start_mb', daemonAtStart, 'MB');
  report('soak', 'daemon_rss_after_warmup_mb', daemonAtWarmup, 'MB');
  report('soak', 'daemon_rss_at_end_mb', daemonAtEnd, 'MB');
  report('soak', 'daemon_peak_rss_mb', daemonIdle?.peak ?? Number.NaN, 'MB');
  report('soak', 'daemon_rss_after_30s_idle_mb', daemonIdle?.rss ?? Number.NaN, 'MB');
  report('soak', 'daemon_rss_growth_after_warmup_mb', daemonAtEnd - daemonAtWarmup, 'MB');
  // A leak grows as fast in the second half as in the first; the stack's heaps settling into their
  // collection rhythm (the first minutes) does not.
  report('soak', 'daemon_rss_at_half_mb', daemonAtHalf, 'MB');
  report('soak', 'daemon_rss_growth_second_half_mb', daemonAtEnd - daemonAtHalf, 'MB');
  // The same growth between medians: of the minute after warm-up, and of the stream's last minute.
  const lastAt = daemonSamples.at(-1)?.at ?? 0;
  const afterWarmup = medianRss(daemonSamples, WARMUP_MS, WARMUP_MS + 60_000);
  const lastMinute = medianRss(daemonSamples, lastAt - 60_000, lastAt);
  report('soak', 'daemon_rss_median_minute_after_warmup_mb', afterWarmup, 'MB');
  report('soak', 'daemon_rss_median_last_minute_mb', lastMinute, 'MB');
  report('soak', 'daemon_rss_median_growth_after_warmup_mb', lastMinute - afterWarmup, 'MB');
  const firstMinute = medianRss(daemonSamples, 0, 60_000);
  report('soak', 'daemon_rss_median_first_minute_mb', firstMinute, 'MB');
  report('soak', 'daemon_rss_median_growth_after_first_minute_mb', lastMinute - firstMinute, 'MB');
  report('soak', 'warmup_s', WARMUP_MS / 1000, 's');
  // Where an idle daemon's memory is: V8's heap (main thread) versus everything else (LevelDB,
  // the handlers' worker threads, buffers).
  report('soak', 'daemon_idle_heap_used_mb', (daemonHeap?.heapUsed ?? Number.NaN) / MB, 'MB');
  report('soak', 'daemon_idle_heap_total_mb', (daemonHeap?.heapTotal ?? Number.NaN) / MB, 'MB');
} finally {
  await stopLocalStack(cwd);
  rmSync(cwd, { recursive: true, force: true });
}
