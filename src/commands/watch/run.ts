/**
 * `stockpipe watch`: recent prices of a few symbols from the quotes table, with the short and long
 * SMA and the alerts raised on them, redrawn every --interval on a terminal. Not on a terminal
 * (or with --json) it prints one snapshot and exits, so it is scriptable and testable.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { smaSeries } from '../../core/sma.ts';
import { DEFAULT_CROSSOVER } from '../../core/strategies/index.ts';
import type { AlertRecord, QuoteItem } from '../../core/tables.ts';
import { StockpipeError, UsageError } from '../../errors.ts';
import { CHART_GLYPHS, formatPrice, renderChart } from '../../ui/chart.ts';
import type { IO } from '../../ui/io.ts';
import { truncateVisible } from '../../ui/live-line.ts';
import { type PipelineRef, suggest } from '../shared/pipeline-flags.ts';
import { parseNonNegativeDuration } from '../shared/since.ts';
import { parseSymbol } from '../shared/symbol.ts';

/** A screen refreshed less than daily is not watched; and Node's timers overflow past ~24.8 days. */
const MAX_WATCH_INTERVAL_MS = 86_400_000;

export interface WatchOptions {
  symbol?: string[];
  points?: string;
  interval?: string;
  short?: string;
  long?: string;
}

export interface WatchPlan {
  symbols: string[];
  points: number;
  intervalMs: number;
  short: number;
  long: number;
}

export interface WatchDeps {
  io: IO;
  signal: AbortSignal;
  quotesTable: string;
  alertsTable: string;
  /** The pipeline, for the "run setup" hint. */
  pipeline: PipelineRef;
  documentClient: () => Promise<DynamoDBDocumentClient>;
  /** stdout is a terminal: redraw live instead of printing one snapshot. */
  live: boolean;
  now?: () => Date;
}

export interface SymbolSnapshot {
  symbol: string;
  points: { timestamp: string; price: number; sma_short: number | null; sma_long: number | null }[];
  alerts: Pick<AlertRecord, 'timestamp' | 'signal' | 'strategy' | 'price' | 'published_at'>[];
}

const MAX_SYMBOLS = 8;

export function planWatch(options: WatchOptions): WatchPlan {
  const symbols = [...new Set((options.symbol ?? []).flatMap((s) => s.split(',')).map(parseSymbol))];
  if (symbols.length === 0) throw new UsageError('watch needs at least one --symbol, e.g. --symbol AAPL');
  if (symbols.length > MAX_SYMBOLS) throw new UsageError(`watch shows at most ${MAX_SYMBOLS} symbols at once`);
  const whole = (text: string | undefined, flag: string, fallback: number, max: number) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < 1 || value > max) {
      throw new UsageError(`invalid ${flag} '${text}': use a whole number from 1 to ${max}`);
    }
    return value;
  };
  const short = whole(options.short, '--short', DEFAULT_CROSSOVER.short, 200);
  const long = whole(options.long, '--long', DEFAULT_CROSSOVER.long, 200);
  if (short >= long) throw new UsageError(`--short (${short}) must be smaller than --long (${long})`);
  const intervalMs = options.interval === undefined ? 5000 : parseNonNegativeDuration(options.interval, '--interval');
  if (intervalMs < 1000) throw new UsageError('--interval must be at least 1s');
  if (intervalMs > MAX_WATCH_INTERVAL_MS) throw new UsageError('--interval must be at most 1d');
  return { symbols, points: whole(options.points, '--points', 60, 500), intervalMs, short, long };
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
      return { symbol, points, alerts: await readRecentAlerts(client, deps.alertsTable, symbol, points[0]?.timestamp) };
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

/**
 * The frame: per symbol a header line, the chart and its alert lines; then the legend.
 * `chartHeight` rows per chart (default: 12, or 8 for more than two symbols).
 */
export function renderSnapshot(
  snapshots: SymbolSnapshot[],
  plan: WatchPlan,
  io: IO,
  width: number,
  chartHeight = snapshots.length > 2 ? 8 : 12,
): string[] {
  const { style } = io;
  const lines: string[] = [];
  for (const snapshot of snapshots) {
    const last = snapshot.points.at(-1);
    if (!last) {
      lines.push(`${style.bold(snapshot.symbol)}  ${style.dim('no quotes yet')}`, '');
      continue;
    }
    const first = snapshot.points[0] as SymbolSnapshot['points'][number];
    const move = last.price - first.price;
    const movePct = first.price ? (move / first.price) * 100 : 0;
    const moveText = `${move >= 0 ? '+' : ''}${formatPrice(move)} (${movePct >= 0 ? '+' : ''}${movePct.toFixed(2)}%)`;
    const sma = (value: number | null) => (value === null ? '—' : formatPrice(value));
    lines.push(
      [
        style.bold(snapshot.symbol),
        formatPrice(last.price),
        move > 0 ? style.green(moveText) : move < 0 ? style.red(moveText) : moveText,
        style.cyan(`SMA${plan.short} ${sma(last.sma_short)}`),
        style.magenta(`SMA${plan.long} ${sma(last.sma_long)}`),
        style.dim(`${snapshot.points.length} points to ${last.timestamp}`),
      ].join('  '),
    );
    const index = new Map(snapshot.points.map((point, i) => [point.timestamp, i]));
    const markers = new Map<number, string>();
    for (const alert of snapshot.alerts) {
      const at = index.get(alert.timestamp);
      if (at !== undefined) markers.set(at, alert.signal);
    }
    lines.push(
      ...renderChart(
        {
          prices: snapshot.points.map((p) => p.price),
          smaShort: snapshot.points.map((p) => p.sma_short ?? undefined),
          smaLong: snapshot.points.map((p) => p.sma_long ?? undefined),
          markers,
        },
        { height: chartHeight, width, style },
      ),
    );
    for (const alert of snapshot.alerts.filter((a) => index.has(a.timestamp))) {
      lines.push(
        `  ${alert.signal === 'BUY' ? CHART_GLYPHS.buy : alert.signal === 'SELL' ? CHART_GLYPHS.sell : CHART_GLYPHS.other} ${alert.signal} at ${formatPrice(alert.price)} (${alert.timestamp}, ${alert.strategy})`,
      );
    }
    lines.push('');
  }
  lines.push(
    style.dim(
      `${CHART_GLYPHS.price} price  ${CHART_GLYPHS.short} SMA${plan.short}  ${CHART_GLYPHS.long} SMA${plan.long}  ${CHART_GLYPHS.buy} BUY  ${CHART_GLYPHS.sell} SELL  ${CHART_GLYPHS.other} anomaly`,
    ),
  );
  return lines;
}

export async function runWatch(plan: WatchPlan, deps: WatchDeps): Promise<number> {
  const { io } = deps;
  const client = await deps.documentClient();
  const read = async () => {
    try {
      return await readSnapshot(client, deps, plan);
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') {
        throw new StockpipeError(
          `the quotes table ${deps.quotesTable} does not exist: run \`${suggest(deps.pipeline, 'setup')}\` first`,
        );
      }
      throw error;
    }
  };
  const screen = io.stdout as { columns?: number; rows?: number };
  const columns = () => Math.max(20, (screen.columns ?? 80) - 12);

  if (io.json) {
    io.outJson({ generated_at: (deps.now?.() ?? new Date()).toISOString(), symbols: await read() });
    return 0;
  }
  if (!deps.live) {
    for (const line of renderSnapshot(await read(), plan, io, Math.min(plan.points, columns()))) io.out(line);
    return 0;
  }
  return liveWatch(plan, deps, read, columns);
}

/** Lines a symbol needs besides its chart: its header, its alert lines (about two), a blank. */
const LINES_PER_SYMBOL = 4;
/** The legend and the refresh line. */
const FOOTER_LINES = 2;

/**
 * On a terminal: the alternate screen (the chart leaves no copies in scrollback), charts sized
 * to the window and redrawn at once when it is resized, `q` or Ctrl+C to quit (exit 0).
 */
async function liveWatch(
  plan: WatchPlan,
  deps: WatchDeps,
  read: () => Promise<SymbolSnapshot[]>,
  columns: () => number,
): Promise<number> {
  const { io } = deps;
  const screen = io.stdout as NodeJS.WriteStream;
  const stdin = io.stdin as NodeJS.ReadStream;
  const quit = new AbortController();
  const onAbort = () => quit.abort();
  deps.signal.addEventListener('abort', onAbort, { once: true });
  let wake: () => void = () => undefined;
  const onResize = () => wake();
  const onKey = (key: Buffer) => {
    const text = key.toString();
    if (text === 'q' || text === 'Q' || text === '\u0003') quit.abort();
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
        snapshots = await read();
        lastRead = Date.now();
      }
      const rows = screen.rows || 24;
      const height = Math.max(3, Math.floor((rows - FOOTER_LINES) / plan.symbols.length) - LINES_PER_SYMBOL);
      const width = (screen.columns || 80) - 1;
      const frame = renderSnapshot(snapshots, plan, io, Math.min(plan.points, columns()), height);
      const stamp = io.style.dim(
        `refreshed ${(deps.now?.() ?? new Date()).toISOString().slice(11, 19)}Z every ${plan.intervalMs / 1000}s — q or Ctrl+C to stop`,
      );
      // Home the cursor and clear the screen, then draw: one write per frame, no half frames; no
      // line wraps, so the frame never scrolls.
      io.stdout.write(`\u001b[H\u001b[2J${[...frame, stamp].map((line) => truncateVisible(line, width)).join('\n')}\n`);
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
