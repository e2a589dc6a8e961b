/**
 * The whole local pipeline through the real CLI (bin/stockpipe.js): setup → stream → the local
 * runner with the real handler zips → DynamoDB → trends → alerts. Two runs, each on its own
 * pipeline of one stack in a fresh folder:
 *   1. saturated: `stream --source synthetic --interval 0 --count N` (10 symbols), events put as
 *      fast as the stream accepts them; `events_per_s` = N ÷ (stream start → the ingest function
 *      has stored all N), and the queueing that costs (`saturated_event_to_store_p99_ms`);
 *   2. realistic: 8 symbols every 100 ms (80 events/s) for 30 s, so crossovers occur:
 *      `event_to_store_p50_ms` / `_p99_ms` (ingested_at − timestamp of every quote item) and
 *      `event_to_alert_p50_ms` / `_p99_ms` (published_at − timestamp of the point that raised
 *      each alert; the 15-minute cooldown allows about one BUY and one SELL per symbol).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { pipelineNames } from '../src/core/names.ts';
import { localAwsClients } from '../src/local/clients.ts';
import { localStackStatus, stopLocalStack } from '../src/local/stack.ts';
import { readStackState } from '../src/local/state.ts';
import { report } from './_report.ts';

const BIN = fileURLToPath(new URL('../bin/stockpipe.js', import.meta.url));
const SATURATED_EVENTS = 20_000;
const SATURATED_SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA', 'META', 'TSLA', 'IBM', 'ORCL', 'INTC'];
const REALISTIC_SYMBOLS = SATURATED_SYMBOLS.slice(0, 8);
const REALISTIC_INTERVAL = '100ms';
const REALISTIC_DURATION = '30s';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

function cli(args: string[], cwd: string): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the CLI to completion; its stdout (a stream prints its summary there). */
async function run(args: string[], cwd: string): Promise<string> {
  const child = cli(args, cwd);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`stockpipe ${args.join(' ')} exited ${code}: ${stderr}`);
  return stdout;
}

/** The events a finished stream sent, from its summary line ("sent N · failed 0 · …"). */
function sentCount(summary: string): number {
  const match = /sent (\d+) · failed (\d+)/.exec(summary);
  if (match?.[2] !== '0') throw new Error(`unexpected stream summary: ${summary}`);
  return Number(match[1]);
}

async function ingested(cwd: string, pipeline: string): Promise<{ stored: number; alerted: number; pending: number }> {
  const status = await localStackStatus(cwd);
  const functions = status.daemon?.pipelines.find((p) => p.name === pipeline)?.functions ?? [];
  const ingest = functions.find((fn) => fn.function === `${pipeline}-ingest`);
  const trends = functions.find((fn) => fn.function === `${pipeline}-trends`);
  return {
    stored: ingest?.recordsSucceeded ?? 0,
    alerted: trends?.recordsSucceeded ?? 0,
    pending: trends?.pendingStreamRecords ?? 0,
  };
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function scan<T>(cwd: string, table: string): Promise<T[]> {
  const state = readStackState(cwd);
  if (!state) throw new Error('the local stack is not running');
  const clients = localAwsClients(state.endpoints);
  try {
    const client = await clients.documentClient();
    const items: T[] = [];
    for await (const page of paginateScan({ client }, { TableName: table })) items.push(...((page.Items ?? []) as T[]));
    return items;
  } finally {
    await clients.destroy();
  }
}

const symbolArgs = (symbols: string[]) => symbols.flatMap((symbol) => ['--symbol', symbol]);
const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-bench-e2e-'));
try {
  // 1. Saturated.
  await run(['setup', '--target', 'local', '--name', 'saturated', '--yes'], cwd);
  const began = performance.now();
  const stream = run(
    [
      'stream',
      '--target',
      'local',
      '--name',
      'saturated',
      '--source',
      'synthetic',
      ...symbolArgs(SATURATED_SYMBOLS),
      '--interval',
      '0',
      '--count',
      String(SATURATED_EVENTS),
    ],
    cwd,
  );
  await waitFor(
    async () => (await ingested(cwd, 'saturated')).stored >= SATURATED_EVENTS,
    `${SATURATED_EVENTS} events ingested`,
    300_000,
  );
  const seconds = (performance.now() - began) / 1000;
  if (sentCount(await stream) !== SATURATED_EVENTS) throw new Error('the saturated stream did not send every event');
  report('e2e', 'events_per_s', SATURATED_EVENTS / seconds, 'events/s');
  const saturatedQuotes = await scan<{ timestamp: string; ingested_at: string }>(
    cwd,
    pipelineNames('saturated').quotesTable,
  );
  const saturatedLatency = saturatedQuotes.map((q) => Date.parse(q.ingested_at) - Date.parse(q.timestamp));
  report('e2e', 'saturated_event_to_store_p99_ms', percentile(saturatedLatency, 99), 'ms');
  await run(['cleanup', '--target', 'local', '--name', 'saturated', '--yes'], cwd);

  // 2. Realistic rate.
  await run(['setup', '--target', 'local', '--name', 'realistic', '--yes'], cwd);
  const realistic = await run(
    [
      'stream',
      '--target',
      'local',
      '--name',
      'realistic',
      '--source',
      'synthetic',
      ...symbolArgs(REALISTIC_SYMBOLS),
      '--interval',
      REALISTIC_INTERVAL,
      '--duration',
      REALISTIC_DURATION,
    ],
    cwd,
  );
  const names = pipelineNames('realistic');
  const sent = sentCount(realistic);
  await waitFor(
    async () => {
      const counters = await ingested(cwd, 'realistic');
      return counters.stored >= sent && counters.alerted >= sent && counters.pending === 0;
    },
    'the trends function to catch up',
    60_000,
  );
  const stored = await scan<{ timestamp: string; ingested_at: string }>(cwd, names.quotesTable);
  const storeLatency = stored.map((q) => Date.parse(q.ingested_at) - Date.parse(q.timestamp));
  const alerts = await scan<{ timestamp: string; published_at: string }>(cwd, names.alertsTable);
  const alertLatency = alerts.map((a) => Date.parse(a.published_at) - Date.parse(a.timestamp));
  report('e2e', 'event_to_store_p50_ms', percentile(storeLatency, 50), 'ms');
  report('e2e', 'event_to_store_p99_ms', percentile(storeLatency, 99), 'ms');
  report('e2e', 'event_to_alert_p50_ms', percentile(alertLatency, 50), 'ms');
  report('e2e', 'event_to_alert_p99_ms', percentile(alertLatency, 99), 'ms');
  report('e2e', 'realistic_events', stored.length, 'events');
  report('e2e', 'realistic_alerts', alerts.length, 'alerts');
  await run(['cleanup', '--target', 'local', '--name', 'realistic', '--yes'], cwd);
} finally {
  await stopLocalStack(cwd);
  rmSync(cwd, { recursive: true, force: true });
}
