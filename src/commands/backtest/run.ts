/**
 * `stockpipe backtest`: the strategy of the trends function over a replay file, with no stack and
 * no AWS. The file is read by the replay source itself (same parser, same skipped-row reports), so
 * a backtest sees exactly the events a replay would put on the stream.
 */
import { formatDuration } from '../../core/duration.ts';
import { StockpipeError, UsageError } from '../../errors.ts';
import { createReplaySource, isReplaySource, ReplayFileError, skipVerdict } from '../../producer/replay.ts';
import type { EventSource, Reporter } from '../../producer/types.ts';
import { type IO, terminalWidth } from '../../ui/io.ts';
import { renderCsv, renderTable, type TableColumn, type TableValue } from '../../ui/table.ts';
import { Backtest, type BacktestResult, OutOfOrderError } from './engine.ts';
import type { BacktestOptions } from './options.ts';

export type { BacktestFlags, BacktestOptions } from './options.ts';
export { parseBacktestOptions } from './options.ts';

export interface BacktestDeps {
  io: IO;
  signal?: AbortSignal;
  /** The file's events; the replay source by default. */
  openSource?: (options: BacktestOptions, report: Reporter) => EventSource;
  /** Milliseconds, for the footer's rate. */
  clock?: () => number;
}

const MINUTE_MS = 60_000;
/** Exit code after Ctrl+C (128 + SIGINT), as `query` uses. */
const EXIT_INTERRUPTED = 130;

export async function runBacktest(options: BacktestOptions, deps: BacktestDeps): Promise<number> {
  const { io } = deps;
  const clock = deps.clock ?? (() => performance.now());
  const started = clock();
  const result = await backtestFile(options, deps);
  const elapsedMs = clock() - started;
  if (deps.signal?.aborted) {
    // A partial file would give a partial summary that looks whole: print nothing.
    io.err(`backtest stopped after ${result.rows} rows (interrupted): nothing printed`);
    return EXIT_INTERRUPTED;
  }
  render(result, options, io);
  if (result.firstStrategyError) {
    // As the trends function does: the point raises nothing, the run goes on, and it is said once.
    const first = result.firstStrategyError;
    io.err(
      `strategy ${options.strategy.name} could not judge ${result.strategyErrors} ${result.strategyErrors === 1 ? 'point' : 'points'} (first: ${first.symbol} ${first.timestamp}: ${first.error})`,
    );
  }
  if (options.output !== 'json') {
    const rate = elapsedMs > 0 ? Math.round((result.rows / elapsedMs) * 1000) : result.rows;
    io.err(
      io.style.dim(
        `${result.rows} rows of ${result.symbols.length} ${result.symbols.length === 1 ? 'symbol' : 'symbols'} · ` +
          `${result.alerts.length} alerts · ${formatDuration(elapsedMs)} (${rate} rows/s)`,
      ),
    );
  }
  return 0;
}

/** Every event of the file through the backtest; a file that is not in time order is bad input. */
export async function backtestFile(options: BacktestOptions, deps: BacktestDeps): Promise<BacktestResult> {
  const report: Reporter = (line) => deps.io.err(line);
  const source = (deps.openSource ?? openReplay)(options, report);
  const backtest = new Backtest(options.strategy, options.cooldownMinutes * MINUTE_MS);
  const signal = deps.signal ?? new AbortController().signal;
  try {
    for (;;) {
      const { events, done } = await source.poll(signal);
      for (const event of events) backtest.add(event);
      if (done || signal.aborted) break;
    }
  } catch (error) {
    if (error instanceof OutOfOrderError) {
      throw new UsageError(`cannot backtest ${options.fileLabel}: ${error.message} (sort the file by time first)`);
    }
    if (error instanceof ReplayFileError)
      throw new UsageError(`cannot backtest ${options.fileLabel}: ${error.message}`);
    throw error;
  } finally {
    await source.close?.();
  }
  const skipped = isReplaySource(source) ? skipVerdict(options.fileLabel, source.skips()) : undefined;
  if (skipped?.failed) throw new StockpipeError(skipped.line);
  if (skipped) deps.io.err(skipped.line);
  return backtest.finish();
}

function openReplay(options: BacktestOptions, report: Reporter): EventSource {
  return createReplaySource({
    file: options.file,
    format: options.fileFormat,
    symbols: options.symbols,
    speed: 'max',
    report,
    // Event ids mean nothing to a backtest: one constant instead of a UUID per row.
    newId: () => 'backtest',
  });
}

const ALERT_COLUMNS: TableColumn[] = [
  { name: 'symbol', numeric: false },
  { name: 'timestamp', numeric: false },
  { name: 'signal', numeric: false },
  { name: 'strategy', numeric: false },
  { name: 'price', numeric: true },
];

/** The summary's width off a terminal: a terminal's usual 80 columns. */
const SUMMARY_WIDTH = 80;

const SUMMARY_COLUMNS: TableColumn[] = [
  { name: 'symbol', numeric: false },
  { name: 'rows', numeric: true },
  { name: 'from', numeric: false },
  { name: 'to', numeric: false },
  { name: 'BUY', numeric: true },
  { name: 'SELL', numeric: true },
  { name: 'cooled down', numeric: true },
  { name: 'trades', numeric: true },
  { name: 'long-only change %', numeric: true },
  { name: 'buy & hold change %', numeric: true },
];

function render(result: BacktestResult, options: BacktestOptions, io: IO): void {
  if (options.output === 'json') {
    io.outJson({
      strategy: options.strategyConfig,
      cooldown_minutes: options.cooldownMinutes,
      rows: result.rows,
      alerts: result.alerts,
      symbols: result.symbols,
    });
    return;
  }
  const alertRows: TableValue[][] = result.alerts.map((alert) => [
    alert.symbol,
    alert.timestamp,
    alert.signal,
    alert.strategy,
    alert.price,
  ]);
  const summaryRows: TableValue[][] = result.symbols.map((s) => [
    s.symbol,
    s.rows,
    s.from,
    s.to,
    s.buy,
    s.sell,
    s.cooled_down,
    s.trades,
    s.return_pct,
    s.buy_and_hold_pct,
  ]);
  // The summary fits the terminal, or 80 columns off one: a row per symbol, or a block per symbol
  // when its ten columns cannot fit.
  const summaryWidth = (stream: IO['stdout']) => terminalWidth({ stdout: stream }) ?? SUMMARY_WIDTH;
  if (options.output === 'csv') {
    // stdout stays one CSV document; the summary goes to stderr.
    io.stdout.write(renderCsv(ALERT_COLUMNS, alertRows));
    io.err(renderTable(SUMMARY_COLUMNS, summaryRows, io.errStyle, { width: summaryWidth(io.stderr) }));
    return;
  }
  if (alertRows.length > 0) io.out(renderTable(ALERT_COLUMNS, alertRows, io.style, { width: terminalWidth(io) }));
  else io.out('No alerts: the strategy raised no signal on this file.');
  io.out(renderTable(SUMMARY_COLUMNS, summaryRows, io.style, { width: summaryWidth(io.stdout) }));
}
