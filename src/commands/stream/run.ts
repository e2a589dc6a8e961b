/**
 * `stockpipe stream`: fetch quotes (Yahoo, a synthetic market, or a replayed file) and put them
 * on the pipeline's Kinesis stream until --count, --duration, the end of the file, or Ctrl+C.
 */
import type { ServiceClients } from '../../aws/clients.ts';
import { formatDuration } from '../../core/duration.ts';
import { pipelineNames } from '../../core/names.ts';
import { StockpipeError, UsageError } from '../../errors.ts';
import { createPacer, type PipelineProgress } from '../../producer/pacer.ts';
import { createPrintSink } from '../../producer/print-sink.ts';
import { Producer, type ProducerSummary } from '../../producer/producer.ts';
import {
  createReplaySource,
  isReplaySource,
  ReplayFileError,
  type ReplayLine,
  ReplayOrderError,
  scanReplayFile,
  skipVerdict,
} from '../../producer/replay.ts';
import { StreamStatus } from '../../producer/status.ts';
import { createSyntheticSource } from '../../producer/synthetic.ts';
import type { EventSink, EventSource } from '../../producer/types.ts';
import type { QuoteFunction } from '../../producer/yahoo.ts';
import { createYahooSource } from '../../producer/yahoo.ts';
import { type IO, terminalWidth } from '../../ui/io.ts';
import { type PipelineAddress, suggest } from '../shared/pipeline-flags.ts';
import type { StreamOptions } from './options.ts';

export interface StreamDeps {
  io: IO;
  /** The pipeline, as suggested commands name it. */
  pipeline: PipelineAddress;
  clients: { get(service: 'kinesis'): Promise<ServiceClients['kinesis']> };
  /**
   * Before a replay sends: make the lake's tables show records as old as its oldest (AWS widens
   * the raw tables' partition projection; Target.coverLake). Resolves to lines to tell.
   */
  coverLake?: (oldest: string) => Promise<string[]>;
  /** Switches the no-incoming-data alarm on while the stream runs; resolves to the switch-off. */
  armNoDataAlarm: (debug: (line: string) => void) => Promise<() => Promise<void>>;
  signal: AbortSignal;
  /** The pipeline's progress, when its target paces producers (the local one). */
  pipelineProgress?: () => Promise<PipelineProgress | undefined>;
  /** Tests inject recorded Yahoo responses here. */
  quote?: QuoteFunction;
}

export async function runStream(options: StreamOptions, deps: StreamDeps): Promise<number> {
  const { io } = deps;
  // Warnings from the source go above the live status line, never over it.
  let status: StreamStatus | undefined;
  const report = (line: string) => (status && !io.json ? status.print(line) : io.err(line));
  const { source, oldest } = await createSource(options, deps, report);
  let sink: EventSink;
  let disarmAlarm: () => Promise<void> = async () => undefined;
  if (options.dryRun) {
    sink = createPrintSink(io.stdout);
  } else {
    try {
      sink = await kinesisSink(deps);
    } catch (error) {
      await source.close?.();
      throw error;
    }
    if (oldest !== undefined) await coverLake(deps, oldest, report);
    disarmAlarm = await deps.armNoDataAlarm(io.debug);
  }

  const pace =
    options.dryRun || !deps.pipelineProgress
      ? undefined
      : createPacer({
          progress: deps.pipelineProgress,
          onStall: (behind) =>
            report(
              `waiting: the pipeline has taken no record for 15 s and is ${behind} behind (see \`${suggest(deps.pipeline, 'status')}\`)`,
            ),
        });
  status = new StreamStatus({ io, stats: () => sink.stats(), verb: options.dryRun ? 'printed' : 'sent' });
  // --json keeps stdout and stderr machine-clean; a dry run's stdout is the events themselves.
  if (!io.json) status.start();
  const producer = new Producer({
    source,
    sink,
    intervalMs: options.intervalMs,
    signal: deps.signal,
    onEvent: (event) => status.onEvent(event),
    ...(pace ? { pace } : {}),
    ...(options.count !== undefined ? { count: options.count } : {}),
    ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
  });
  // `stream --dry-run | head` closes stdout: stop like Ctrl+C instead of dying on EPIPE.
  const onOutputError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') producer.stop('output-closed');
    else throw error;
  };
  io.stdout.on('error', onOutputError);
  let summary: ProducerSummary;
  try {
    summary = await producer.start();
  } catch (error) {
    if (error instanceof ReplayFileError) throw new StockpipeError(`cannot replay the file: ${error.message}`);
    throw error;
  } finally {
    status.stop();
    await disarmAlarm();
  }
  printSummary(io, summary, options);
  if (summary.reason === 'sink-failed') throw summary.error;
  const skipped = isReplaySource(source) ? skipVerdict(options.replay?.file ?? '', source.skips()) : undefined;
  if (skipped?.failed) throw new StockpipeError(skipped.line);
  if (skipped) io.err(skipped.line);
  if (summary.failed > 0) {
    io.err(
      `error: ${summary.failed} event${summary.failed === 1 ? '' : 's'} could not be put on the stream after retries (see the failed entries above)`,
    );
    return 1;
  }
  return 0;
}

/**
 * Older records than the lake's tables project would be stored but invisible to Athena: widen
 * the tables first. Never stops the stream: the records are kept either way, and `query` (or
 * `setup`) widens the tables to what is stored.
 */
async function coverLake(deps: StreamDeps, oldest: string, report: (line: string) => void): Promise<void> {
  if (!deps.coverLake) return;
  try {
    for (const line of await deps.coverLake(oldest)) report(line);
  } catch (error) {
    const message = String((error as Error).message ?? error).replace(/\s+/g, ' ');
    report(
      `warning: could not widen the lake's tables to ${oldest.slice(0, 10)} (${message}); the records are stored, and \`${suggest(deps.pipeline, 'query')}\` or \`${suggest(deps.pipeline, 'setup')}\` widens them later`,
    );
  }
}

async function createSource(
  options: StreamOptions,
  deps: StreamDeps,
  report: (line: string) => void,
): Promise<{ source: EventSource; oldest?: string }> {
  if (options.source === 'synthetic') {
    const source = createSyntheticSource({
      symbols: options.symbols,
      ...(options.synthetic as NonNullable<StreamOptions['synthetic']>),
    });
    return { source };
  }
  if (options.source === 'replay') {
    const { sortLimitBytes, ...replay } = options.replay as NonNullable<StreamOptions['replay']>;
    // Before any network call: a file out of time order is sorted, or refused (exit 2); the same
    // read finds its oldest record, which the lake's tables must show.
    let scan: { lines?: ReplayLine[]; oldest?: string };
    try {
      scan = await scanReplayFile({ ...replay, symbols: options.symbols }, sortLimitBytes);
    } catch (error) {
      if (error instanceof ReplayOrderError) throw new UsageError(`cannot replay the file: ${error.message}`);
      throw error;
    }
    const { lines, oldest } = scan;
    if (lines) report(`${replay.file} is not in time order per symbol: replaying its rows sorted by time`);
    const source = createReplaySource({ ...replay, symbols: options.symbols, report, ...(lines ? { lines } : {}) });
    return { source, ...(oldest !== undefined ? { oldest } : {}) };
  }
  // Back off from at least one interval: a 429 must never make us poll faster than usual.
  const source = createYahooSource({
    symbols: options.symbols,
    report,
    baseBackoffMs: Math.max(2000, options.intervalMs),
    ...(deps.quote ? { quote: deps.quote } : {}),
  });
  return { source };
}

/** The batcher on the pipeline's stream, after checking the stream is there to take events. */
async function kinesisSink(deps: StreamDeps): Promise<EventSink> {
  const streamName = pipelineNames(deps.pipeline.name).stream;
  const [{ DescribeStreamSummaryCommand }, { KinesisBatcher }, client] = await Promise.all([
    import('@aws-sdk/client-kinesis'),
    import('../../producer/batcher.ts'),
    deps.clients.get('kinesis'),
  ]);
  try {
    const { StreamDescriptionSummary } = await client.send(
      new DescribeStreamSummaryCommand({ StreamName: streamName }),
    );
    const state = StreamDescriptionSummary?.StreamStatus;
    if (state === 'CREATING' || state === 'DELETING') {
      throw new StockpipeError(
        `Kinesis stream ${streamName} is ${state}: wait for it (\`${suggest(deps.pipeline, 'status')}\`) and try again.`,
      );
    }
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      throw new StockpipeError(
        `Kinesis stream ${streamName} does not exist: run \`${suggest(deps.pipeline, 'setup')}\` first.`,
      );
    }
    throw error;
  }
  const { io } = deps;
  return new KinesisBatcher({
    client,
    streamName,
    setupCommand: suggest(deps.pipeline, 'setup'),
    onBatch: (result) => {
      if (io.json) io.outJsonLine({ type: 'batch', stream: streamName, ...result });
      for (const failure of result.failed) {
        io.err(`failed: ${failure.symbol} ${failure.event_id} (${failure.error_code}) after retries`);
      }
    },
  });
}

/** The summary line's width off a terminal: a terminal's usual 80 columns. */
const SUMMARY_WIDTH = 80;

function printSummary(io: IO, summary: ProducerSummary, options: StreamOptions): void {
  const record = {
    type: 'summary',
    sent: summary.sent,
    failed: summary.failed,
    not_sent: summary.notSent,
    retried: summary.retried,
    produced: summary.produced,
    elapsed_ms: summary.elapsedMs,
    events_per_s: Number(summary.rate.toFixed(2)),
    stopped: summary.reason,
    dry_run: options.dryRun,
  };
  if (io.json) {
    // A dry run's stdout is the events only.
    if (!options.dryRun) io.outJsonLine(record);
    return;
  }
  const why: Record<ProducerSummary['reason'], string> = {
    count: `--count ${options.count} reached`,
    duration: `--duration ${formatDuration(options.durationMs ?? 0)} elapsed`,
    'end-of-source': 'end of the replay file',
    signal: 'interrupted',
    'output-closed': 'stdout closed',
    'sink-failed': 'the stream stopped taking events',
  };
  const verb = options.dryRun ? 'printed' : 'sent';
  const counts = [
    `${verb} ${summary.sent}`,
    `failed ${summary.failed}`,
    ...(summary.notSent > 0 ? [`not sent ${summary.notSent}`] : []),
    ...(summary.retried > 0 ? [`retried ${summary.retried}`] : []),
    `${summary.rate.toFixed(1)} events/s over ${formatDuration(summary.elapsedMs)}`,
  ].join(' · ');
  const reason = `(${why[summary.reason]})`;
  // One line when it fits a terminal (80 columns off one), else the reason on a line of its own.
  const width = terminalWidth({ stdout: options.dryRun ? io.stderr : io.stdout }) ?? SUMMARY_WIDTH;
  const text = counts.length + 1 + reason.length <= width ? `${counts} ${reason}` : `${counts}\n  ${reason}`;
  // The events own a dry run's stdout; otherwise the summary is the command's result.
  if (options.dryRun) io.err(text);
  else io.out(text);
}
