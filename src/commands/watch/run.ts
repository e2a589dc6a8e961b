/**
 * `stockpipe watch`: recent prices of a few symbols from the quotes table, with the short and long
 * SMA and the alerts raised on them, redrawn every --interval on a terminal. Not on a terminal
 * (or with --json) it prints one snapshot and exits, so it is scriptable and testable. With
 * --from it charts the lake's history instead, read by the named `history` query as `query` runs
 * it, and prints one snapshot.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { quoteChange } from '../../core/metrics.ts';
import { smaSeries } from '../../core/sma.ts';
import { DEFAULT_CROSSOVER } from '../../core/strategies/index.ts';
import type { AlertRecord, QuoteItem } from '../../core/tables.ts';
import { StockpipeError, UsageError } from '../../errors.ts';
import { type DateRange, parseDate, utcDate } from '../../query/named.ts';
import type { IO } from '../../ui/io.ts';
import { truncateVisible } from '../../ui/live-line.ts';
import { type PipelineAddress, suggest } from '../shared/pipeline-flags.ts';
import { parseNonNegativeDuration } from '../shared/since.ts';
import { parseSymbol } from '../shared/symbol.ts';
import type { WatchFlags } from './command.ts';
import { fitParts, frameLayout, renderFrame } from './frame.ts';

/** A screen refreshed less than daily is not watched; and Node's timers overflow past ~24.8 days. */
const MAX_WATCH_INTERVAL_MS = 86_400_000;

/** The flags, checked against their specs: --symbol given, --points, --short and --long whole numbers in range. */
export type WatchOptions = WatchFlags;

export interface WatchPlan {
  symbols: string[];
  points: number;
  intervalMs: number;
  short: number;
  long: number;
  /** --from: chart the lake's history from this day (YYYY-MM-DD, UTC) through today. */
  from?: string;
}

/** A point as the quotes table or the lake's history gives it. */
export interface WatchQuote {
  timestamp: string;
  price: number;
  previous_close?: number | null;
  change?: number | null;
  change_percent?: number | null;
}

export interface WatchDeps {
  io: IO;
  signal: AbortSignal;
  quotesTable: string;
  alertsTable: string;
  /** The pipeline, for the "run setup" hint. */
  pipeline: PipelineAddress;
  documentClient: () => Promise<DynamoDBDocumentClient>;
  /** stdout is a terminal: redraw live instead of printing one snapshot. */
  live: boolean;
  /** --from: a symbol's newest `limit` observations in the range, oldest first, from the lake. */
  history?: (symbol: string, range: DateRange, limit: number) => Promise<WatchQuote[]>;
  now?: () => Date;
}

export interface SymbolSnapshot {
  symbol: string;
  /** The last point's change against its previous close (src/core/metrics.ts quoteChange): what `query latest` shows. */
  change: number | null;
  change_percent: number | null;
  points: { timestamp: string; price: number; sma_short: number | null; sma_long: number | null }[];
  alerts: Pick<AlertRecord, 'timestamp' | 'signal' | 'strategy' | 'price' | 'published_at'>[];
}

const MAX_SYMBOLS = 8;

/** Points charted from the lake when --points is not given: the chart draws several a column. */
const DEFAULT_HISTORY_POINTS = 500;

export function planWatch(options: WatchOptions, now: Date = new Date()): WatchPlan {
  const symbols = [...new Set((options.symbol ?? []).flatMap((s) => s.split(',')).map(parseSymbol))];
  if (symbols.length > MAX_SYMBOLS) throw new UsageError(`watch shows at most ${MAX_SYMBOLS} symbols at once`);
  const short = options.short ?? DEFAULT_CROSSOVER.short;
  const long = options.long ?? DEFAULT_CROSSOVER.long;
  if (short >= long) throw new UsageError(`--short (${short}) must be smaller than --long (${long})`);
  const intervalMs = options.interval === undefined ? 5000 : parseNonNegativeDuration(options.interval, '--interval');
  if (intervalMs < 1000) throw new UsageError('--interval must be at least 1s');
  if (intervalMs > MAX_WATCH_INTERVAL_MS) throw new UsageError('--interval must be at most 1d');
  let from: string | undefined;
  if (options.from !== undefined) {
    from = parseDate(options.from.trim());
    if (!from) throw new UsageError(`invalid --from '${options.from}': use a date, YYYY-MM-DD`);
    if (from > utcDate(now)) throw new UsageError(`--from ${from} is after today (${utcDate(now)}, UTC)`);
  }
  const points = options.points ?? (from ? DEFAULT_HISTORY_POINTS : 60);
  return { symbols, points, intervalMs, short, long, ...(from ? { from } : {}) };
}

/** The snapshot of a symbol from its quotes, oldest first, with enough before the first shown for the long SMA. */
function snapshotOf(
  symbol: string,
  quotes: WatchQuote[],
  plan: WatchPlan,
  alerts: SymbolSnapshot['alerts'],
): SymbolSnapshot {
  const prices = quotes.map((quote) => quote.price);
  const short = smaSeries(prices, plan.short);
  const long = smaSeries(prices, plan.long);
  const first = Math.max(0, quotes.length - plan.points);
  const points = quotes.slice(first).map((quote, i) => ({
    timestamp: quote.timestamp,
    price: quote.price,
    sma_short: short[first + i] ?? null,
    sma_long: long[first + i] ?? null,
  }));
  const last = quotes.at(-1);
  const change = last ? quoteChange(last) : { change: null, change_percent: null };
  return { symbol, ...change, points, alerts };
}

/** Where the snapshots come from: the quotes table (live), or the lake's history (--from). */
async function readSnapshots(client: DynamoDBDocumentClient, deps: WatchDeps, plan: WatchPlan) {
  if (!plan.from) return readSnapshot(client, deps, plan);
  const { history } = deps;
  if (!history) throw new StockpipeError('watch --from needs the query engine, which this target does not have');
  const range = { from: plan.from, to: utcDate(deps.now?.() ?? new Date()) };
  return Promise.all(
    plan.symbols.map(async (symbol) => {
      const quotes = await history(symbol, range, plan.points + plan.long - 1);
      const from = quotes[Math.max(0, quotes.length - plan.points)]?.timestamp;
      return snapshotOf(symbol, quotes, plan, await readRecentAlerts(client, deps.alertsTable, symbol, from));
    }),
  );
}

export async function readSnapshot(
  client: DynamoDBDocumentClient,
  deps: Pick<WatchDeps, 'quotesTable' | 'alertsTable'>,
  plan: WatchPlan,
): Promise<SymbolSnapshot[]> {
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  return Promise.all(
    plan.symbols.map(async (symbol) => {
      // Newest first, with enough history before the first shown point for the long SMA.
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: deps.quotesTable,
          KeyConditionExpression: '#symbol = :symbol',
          ExpressionAttributeNames: { '#symbol': 'symbol' },
          ExpressionAttributeValues: { ':symbol': symbol },
          ScanIndexForward: false,
          Limit: plan.points + plan.long - 1,
        }),
      );
      const quotes = (Items as QuoteItem[]).reverse();
      const from = quotes[Math.max(0, quotes.length - plan.points)]?.timestamp;
      return snapshotOf(symbol, quotes, plan, await readRecentAlerts(client, deps.alertsTable, symbol, from));
    }),
  );
}

async function readRecentAlerts(
  client: DynamoDBDocumentClient,
  table: string,
  symbol: string,
  from: string | undefined,
): Promise<SymbolSnapshot['alerts']> {
  if (!from) return [];
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  try {
    // alert_key starts with the point's timestamp, so the key range selects alerts on shown points.
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#symbol = :symbol AND alert_key >= :from',
        ExpressionAttributeNames: { '#symbol': 'symbol' },
        ExpressionAttributeValues: { ':symbol': symbol, ':from': from },
      }),
    );
    return (Items as AlertRecord[]).map(({ timestamp, signal, strategy, price, published_at }) => ({
      timestamp,
      signal,
      strategy,
      price,
      published_at,
    }));
  } catch (error) {
    // No alerts table (trends not deployed): a chart without markers is still useful.
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return [];
    throw error;
  }
}

export async function runWatch(plan: WatchPlan, deps: WatchDeps): Promise<number> {
  const { io } = deps;
  const client = await deps.documentClient();
  const read = async () => {
    try {
      return await readSnapshots(client, deps, plan);
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') {
        throw new StockpipeError(
          `the quotes table ${deps.quotesTable} does not exist: run \`${suggest(deps.pipeline, 'setup')}\` first`,
        );
      }
      throw error;
    }
  };
  if (io.json) {
    io.outJson({ generated_at: (deps.now?.() ?? new Date()).toISOString(), symbols: await read() });
    return 0;
  }
  if (!deps.live || plan.from) {
    // One snapshot, every symbol, laid out for the terminal's width (80 columns in a pipe).
    const screen = io.stdout as { isTTY?: boolean; columns?: number };
    const width = (screen.isTTY && screen.columns ? screen.columns : 80) - 1;
    const height = plan.symbols.length > 2 ? 8 : 12;
    for (const line of renderFrame(await read(), plan, io, width, height)) io.out(line);
    return 0;
  }
  return liveWatch(plan, deps, read);
}

/**
 * On a terminal: the alternate screen (the chart leaves no copies in scrollback), charts sized
 * to the window and redrawn at once when it is resized, `q` or Ctrl+C to quit (exit 0).
 */
async function liveWatch(plan: WatchPlan, deps: WatchDeps, read: () => Promise<SymbolSnapshot[]>): Promise<number> {
  const { io } = deps;
  const screen = io.stdout as NodeJS.WriteStream;
  const stdin = io.stdin as NodeJS.ReadStream;
  const quit = new AbortController();
  const onAbort = () => quit.abort();
  deps.signal.addEventListener('abort', onAbort, { once: true });
  let wake: () => void = () => undefined;
  const onResize = () => wake();
  let page = 0;
  const onKey = (key: Buffer) => {
    const text = key.toString();
    if (text === 'q' || text === 'Q' || text === '\u0003') quit.abort();
    // The next page of symbols at once, when they do not all fit.
    if (text === 'n' || text === ' ') {
      page++;
      wake();
    }
  };
  const raw = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  if (raw) {
    stdin.setRawMode(true);
    stdin.resume();
  }
  stdin.on('data', onKey);
  screen.on?.('resize', onResize);
  io.stdout.write(ENTER_ALTERNATE_SCREEN);
  let snapshots: SymbolSnapshot[] | undefined;
  let lastRead = 0;
  try {
    while (!quit.signal.aborted) {
      if (!snapshots || Date.now() - lastRead >= plan.intervalMs) {
        // Symbols that do not fit at once take turns: the next page at each refresh.
        if (snapshots) page++;
        snapshots = await read();
        lastRead = Date.now();
      }
      const { perPage, chartHeight } = frameLayout(plan.symbols.length, screen.rows || 24);
      const pages = Math.ceil(plan.symbols.length / perPage);
      page %= pages;
      const width = (screen.columns || 80) - 1;
      const shown = snapshots.slice(page * perPage, (page + 1) * perPage);
      const frame = renderFrame(shown, plan, io, width, chartHeight);
      const time = (deps.now?.() ?? new Date()).toISOString().slice(11, 19);
      const stamp = io.style.dim(
        fitParts(
          [
            `refreshed ${time}Z every ${plan.intervalMs / 1000}s`,
            ...(pages > 1 ? [`page ${page + 1}/${pages} (n: next)`] : []),
            'q or Ctrl+C to stop',
          ],
          ' — ',
          width,
        ),
      );
      // Home the cursor and clear the screen, then draw: one write per frame, no half frames; no
      // line wraps, no more lines than the window and no newline after the last, so it never scrolls.
      const lines = [...frame.slice(0, Math.max(0, (screen.rows || 24) - 1)), stamp];
      io.stdout.write(`\u001b[H\u001b[2J${lines.map((line) => truncateVisible(line, width)).join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, plan.intervalMs - (Date.now() - lastRead)));
        function done() {
          clearTimeout(timer);
          quit.signal.removeEventListener('abort', done);
          resolve();
        }
        wake = done;
        quit.signal.addEventListener('abort', done, { once: true });
      });
    }
  } finally {
    io.stdout.write(LEAVE_ALTERNATE_SCREEN);
    screen.off?.('resize', onResize);
    stdin.off('data', onKey);
    if (raw) {
      stdin.setRawMode(false);
      stdin.pause();
    }
    deps.signal.removeEventListener('abort', onAbort);
  }
  return 0;
}

/** The alternate screen with the cursor hidden, and back. */
export const ENTER_ALTERNATE_SCREEN = '\u001b[?1049h\u001b[?25l';
export const LEAVE_ALTERNATE_SCREEN = '\u001b[?25h\u001b[?1049l';
