/**
 * `stockpipe demo`: the whole pipeline offline in one command. Starts the local stack, sets up a
 * pipeline, streams synthetic quotes (plus a few malformed records) through the real handler
 * zips, shows progress and every alert as it fires, then reports what the pipeline stored —
 * read back from DynamoDB and the lake, not from the producer's own counts — and cleans up.
 */
import { readFile } from 'node:fs/promises';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { AwsClients } from '../../aws/clients.ts';
import { formatDuration } from '../../core/duration.ts';
import { pipelineNames } from '../../core/names.ts';
import type { AlertRecord, QuoteItem } from '../../core/tables.ts';
import { CancelledError, NOTHING_CHANGED, StockpipeError, UsageError } from '../../errors.ts';
import { localIdentity, localPipelineGraph } from '../../local/graph.ts';
import { stopIdleLocalStack } from '../../local/idle.ts';
import { functionLogFile, localPaths } from '../../local/paths.ts';
import { readLocalPipeline } from '../../local/pipelines.ts';
import { ensureLocalStack, localStackStatus, waitForLocalPipeline } from '../../local/stack.ts';
import { DEFAULT_SPEC } from '../../pipeline/aws-graph.ts';
import { applyPipeline, createResourceContext, destroyPipeline } from '../../pipeline/run.ts';
import type { ResourceContext, ResourceNode } from '../../pipeline/types.ts';
import { KinesisBatcher } from '../../producer/batcher.ts';
import { Producer } from '../../producer/producer.ts';
import { createSyntheticSource, SYNTHETIC_DEFAULTS } from '../../producer/synthetic.ts';
import { DuckDbQueryRunner } from '../../query/duckdb.ts';
import { buildNamedQuery } from '../../query/named.ts';
import { rowsAsObjects } from '../../query/runner.ts';
import { type IO, terminalWidth } from '../../ui/io.ts';
import { LiveLine, truncateVisible } from '../../ui/live-line.ts';
import { inquirerPrompter } from '../../ui/prompt.ts';
import { AlertFeed } from './alert-feed.ts';
import { malformedRecords } from './malformed.ts';
import {
  countQuarantined,
  eventToAlert,
  eventToStore,
  ingestSummaries,
  readBySymbol,
  supersededCount,
} from './measure.ts';
import { DEMO_PIPELINE, type DemoOptions } from './options.ts';
import { type DemoReport, printReport } from './render.ts';

export interface DemoDeps {
  io: IO;
  cwd: string;
  name: string;
  /** Clients of the local target (src/local/target.ts). */
  clients: AwsClients;
  /** Ctrl+C: stop streaming early, then report and clean up as usual. */
  signal: AbortSignal;
  /** How the person runs stockpipe, for the suggested commands (default `stockpipe`). */
  invocation?: string;
}

/**
 * A demo pipeline kept by `demo --keep` holds what the person may still be looking at: starting
 * over deletes it, so that takes --yes or a yes at the terminal.
 */
async function confirmStartOver({ io, name, signal, invocation = 'stockpipe' }: DemoDeps): Promise<void> {
  if (io.yes) return;
  const remove = `${invocation} cleanup --name ${name} --target local --yes`;
  if (!io.canPrompt) {
    throw new UsageError(
      `the demo pipeline kept by --keep (${name}) is still here: pass --yes to start over, or remove it with \`${remove}\``,
    );
  }
  const answer = await inquirerPrompter(io, signal).input(
    `The demo pipeline kept by --keep (${name}) is still here. Delete it and start over? (yes/no)`,
  );
  if (!/^y(es)?$/i.test(answer.trim())) throw new CancelledError(NOTHING_CHANGED);
}

/** How long the pipeline may take to catch up once streaming stops. */
const DRAIN_TIMEOUT_MS = 30_000;

export async function runDemo(options: DemoOptions, deps: DemoDeps): Promise<number> {
  const { io, cwd, name, clients } = deps;
  const say = (line: string) => {
    if (!io.json) io.err(line);
  };
  const started = Date.now();
  const names = pipelineNames(name);

  const existing = readLocalPipeline(cwd, name);
  if (existing && name !== DEMO_PIPELINE) {
    throw new UsageError(
      `a local pipeline called ${name} exists already: the demo sets up its own, so pick another --name or leave it out`,
    );
  }

  if (existing) await confirmStartOver(deps);

  say(io.errStyle.bold('stockpipe demo') + io.errStyle.dim(' — the whole pipeline on this machine, no AWS account'));
  const stack = await ensureLocalStack(cwd);
  say(
    `${stack.started ? 'Started' : 'Using'} the local stack: kinesalite, dynalite and s3rver on loopback (.stockpipe/local)`,
  );

  const ctx = createResourceContext({ clients, name, identity: localIdentity(), spec: DEFAULT_SPEC });
  const nodes = localPipelineGraph({ cwd })(ctx);
  // A demo pipeline kept from an earlier run starts over, so the figures describe this run only.
  if (existing) await destroyPipeline(nodes, ctx, () => undefined);
  await setUp(nodes, ctx);
  await waitForLocalPipeline(cwd, name, { timeoutMs: 60_000, signal: deps.signal });
  say(
    `Pipeline ${io.errStyle.bold(name)} is up: stream (2 shards) → ingest Lambda → DynamoDB + raw lake → trends Lambda (SMA-5/SMA-20 crossover) → alerts`,
  );

  const baseline = await runnerCounters(cwd, name);
  const feed = new AlertFeed(localPaths(cwd).alertsLog, name);
  await feed.skipExisting();
  const status = new LiveLine(io);
  let fired = 0;
  const showAlerts = async () => {
    for (const alert of await feed.read()) {
      fired++;
      status.print(describeAlert(io, alert, terminalWidth({ stdout: io.stderr }) ?? ALERT_LINE_WIDTH));
    }
  };

  say(
    `Streaming ${options.symbols.join(', ')} every ${formatDuration(options.intervalMs)} for ${formatDuration(options.durationMs)}` +
      (options.malformed ? `, with ${options.malformed} malformed records to show the quarantine` : '') +
      io.errStyle.dim(' (Ctrl+C stops early)'),
  );
  const kinesis = await clients.get('kinesis');
  const malformed = malformedRecords(options.malformed, options.symbols[0] ?? 'AAPL', new Date());
  if (malformed.length > 0) {
    const result = await kinesis.send(
      new PutRecordsCommand({
        StreamName: names.stream,
        Records: malformed.map((record) => ({ Data: Buffer.from(record.data), PartitionKey: record.partitionKey })),
      }),
    );
    if (result.FailedRecordCount) throw new StockpipeError('the local stream refused the malformed records: try again');
  }
  const batcher = new KinesisBatcher({ client: kinesis, streamName: names.stream });
  const producer = new Producer({
    source: createSyntheticSource({ ...SYNTHETIC_DEFAULTS, symbols: options.symbols, seed: options.seed }),
    sink: batcher,
    intervalMs: options.intervalMs,
    durationMs: options.durationMs,
    signal: deps.signal,
  });
  // Ticks never overlap: a slow one is skipped, so the alert feed is read by one tick at a time.
  let ticking = false;
  const streamStarted = Date.now();
  const ticker = setInterval(() => {
    if (ticking) return;
    ticking = true;
    void (async () => {
      await showAlerts();
      const now = await runnerCounters(cwd, name).catch(() => baseline);
      const elapsed = Math.min(Date.now() - streamStarted, options.durationMs);
      status.update(
        io.errStyle.dim(
          `${formatDuration(elapsed)} of ${formatDuration(options.durationMs)} (${formatDuration(options.durationMs - elapsed)} left) · ` +
            `produced ${batcher.stats().sent + malformed.length} · ingested ${now.ingest - baseline.ingest} · alerts ${fired}`,
        ),
      );
    })().finally(() => {
      ticking = false;
    });
  }, 250);
  let produced: Awaited<ReturnType<Producer['start']>>;
  try {
    produced = await producer.start();
  } finally {
    clearInterval(ticker);
  }
  if (produced.reason === 'sink-failed') throw produced.error;
  const sent = produced.sent + malformed.length;

  if (produced.reason === 'signal')
    status.print(io.errStyle.dim('Stopped early (Ctrl+C): reporting what was streamed.'));
  status.update(
    io.errStyle.dim(
      `waiting for the pipeline to catch up with ${sent} records (up to ${formatDuration(DRAIN_TIMEOUT_MS)})…`,
    ),
  );
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  const ingestDone = await caughtUp(cwd, name, baseline, 'ingest', sent, deadline);
  // Once ingest has finished the quotes no longer change: one read serves trends' wait and the report.
  const documents = await clients.documentClient();
  const items = await readBySymbol<QuoteItem>(documents, names.quotesTable, options.symbols);
  const drained = ingestDone && (await caughtUp(cwd, name, baseline, 'trends', items.length, deadline));
  await showAlerts();
  status.clear();

  const alerts = (await readBySymbol<AlertRecord>(documents, names.alertsTable, options.symbols)).sort((a, b) =>
    a.published_at.localeCompare(b.published_at),
  );
  const quarantined = await countQuarantined(await clients.get('s3'), ctx.buckets.raw);
  const logText = await readFile(functionLogFile(localPaths(cwd), names.ingestFunction), 'utf8').catch(() => '');
  const superseded = supersededCount(ingestSummaries(logText, started), items.length);
  const topMovers = await queryTopMovers(cwd, ctx.buckets.raw, name, started);

  const report: DemoReport = {
    pipeline: name,
    duration_ms: Date.now() - started,
    symbols: options.symbols,
    produced: sent,
    ingested: items.length,
    quarantined,
    superseded,
    failed_to_send: produced.failed,
    drained,
    alerts,
    latency_ms: { event_to_store: eventToStore(items), event_to_alert: eventToAlert(alerts) },
    top_movers: topMovers,
    kept: options.keep,
    stack_stopped: false,
    stopped_early: produced.reason === 'signal',
  };
  const complete =
    report.produced === report.ingested + report.quarantined + report.superseded && report.failed_to_send === 0;

  if (options.keep) {
    if (io.json) io.outJson(report);
    else printReport(io, report, complete, deps.invocation);
  } else {
    await destroyPipeline(nodes, ctx, () => undefined);
    await clients.destroy();
    // The stack stays while another local pipeline runs on it: the report says which happened.
    report.stack_stopped = await stopIdleLocalStack(cwd);
    if (io.json) io.outJson(report);
    else printReport(io, report, complete, deps.invocation);
  }
  if (!complete) {
    io.err(
      `error: ${report.produced} records went in but ${report.ingested} were stored, ${report.quarantined} quarantined and ${report.superseded} superseded: see .stockpipe/local/logs`,
    );
    return 1;
  }
  return 0;
}

async function setUp(nodes: readonly ResourceNode[], ctx: ResourceContext): Promise<void> {
  const summary = await applyPipeline(nodes, ctx, () => undefined);
  const [failed] = summary.failed;
  if (failed)
    throw new StockpipeError(
      `setting up the demo pipeline failed at ${failed.kind} ${failed.name}: ${failed.detail ?? 'see .stockpipe/local/logs/daemon.log'}`,
    );
}

interface Counters {
  /** Records the ingest function has finished with (stored, quarantined or sent to failures). */
  ingest: number;
  /** Stream records the trends function has finished with. */
  trends: number;
}

async function runnerCounters(cwd: string, name: string): Promise<Counters> {
  const status = await localStackStatus(cwd);
  const pipeline = status.daemon?.pipelines.find((entry) => entry.name === name);
  const names = pipelineNames(name);
  const done = (functionName: string) => {
    const fn = pipeline?.functions.find((entry) => entry.function === functionName);
    return fn ? fn.recordsSucceeded + fn.recordsToFailure : 0;
  };
  return { ingest: done(names.ingestFunction), trends: done(names.trendsFunction) };
}

/** Waits until the function has finished `count` records since the baseline; false past the deadline. */
async function caughtUp(
  cwd: string,
  name: string,
  baseline: Counters,
  fn: keyof Counters,
  count: number,
  deadline: number,
): Promise<boolean> {
  while ((await runnerCounters(cwd, name))[fn] - baseline[fn] < count) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

async function queryTopMovers(cwd: string, bucket: string, name: string, started: number) {
  const runner = new DuckDbQueryRunner({ s3Directory: localPaths(cwd).s3Dir, bucket });
  const today = new Date().toISOString().slice(0, 10);
  const sql = buildNamedQuery('top-movers', {
    range: { from: new Date(started).toISOString().slice(0, 10), to: today },
    limit: 5,
  });
  try {
    return rowsAsObjects(await runner.run(sql));
  } catch (error) {
    throw new StockpipeError(`the top-movers query over pipeline ${name}'s lake failed: ${(error as Error).message}`);
  }
}

/** An alert line's width off a terminal: a terminal's usual 80 columns. */
const ALERT_LINE_WIDTH = 80;

/** "▲ SELL MSFT at 436.44: short SMA crossed below long SMA (1.2s later)", no wider than `width`. */
export function describeAlert(io: IO, alert: AlertRecord, width: number): string {
  const marks: Record<string, [string, (text: string) => string]> = {
    BUY: ['▲', io.errStyle.green],
    SELL: ['▼', io.errStyle.red],
    ANOMALY: ['!', io.errStyle.yellow],
  };
  const [mark, colour] = marks[alert.signal] ?? ['•', (text: string) => text];
  const latency = Date.parse(alert.published_at) - Date.parse(alert.timestamp);
  // The subject already names signal, symbol, price and reason: "stockpipe SELL MSFT at 436.44: …".
  const headline = truncateVisible(`${mark} ${alert.subject.replace(/^stockpipe /, '')}`, width);
  const after = ` (${formatDuration(latency)} later)`;
  // The latency when it fits: the alert itself is the news.
  return headline.length + after.length <= width ? `${colour(headline)}${io.errStyle.dim(after)}` : colour(headline);
}
