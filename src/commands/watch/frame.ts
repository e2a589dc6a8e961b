/**
 * What `watch` draws: per symbol a header that is never cut (parts are left out whole when the
 * line is too narrow), the chart with its time axis, and one line of the alerts in view; then the
 * legend. And how many symbols a window holds at once: the rest are shown a page at a time.
 */
import { formatChange } from '../../core/metrics.ts';
import { CHART_GLYPHS, formatPrice, renderChart } from '../../ui/chart.ts';
import type { IO } from '../../ui/io.ts';
import { parseInstant } from '../../ui/times.ts';
import type { SymbolSnapshot, WatchPlan } from './run.ts';

/** Lines a symbol takes besides its chart: header, time axis, alerts line. */
export const LINES_PER_SYMBOL = 3;
/** The legend and the refresh line. */
export const FOOTER_LINES = 2;
/** A chart lower than this says little: fewer symbols per page instead. */
export const MIN_CHART_HEIGHT = 3;
const MAX_CHART_HEIGHT = 12;

export interface FrameLayout {
  /** Symbols drawn at once. */
  perPage: number;
  chartHeight: number;
}

/**
 * How `symbols` charts fit `rows` lines: as many as fit with charts at least MIN_CHART_HEIGHT
 * high (the pages balanced: 4 symbols that do not fit make 2 pages of 2), charts as high as the
 * window then allows.
 */
export function frameLayout(symbols: number, rows: number): FrameLayout {
  const room = rows - FOOTER_LINES;
  // k symbols take k × (chart + LINES_PER_SYMBOL) lines and a blank line between two.
  const heightFor = (k: number) => Math.floor((room - (k - 1)) / k) - LINES_PER_SYMBOL;
  let fit = 1;
  for (let k = symbols; k >= 1; k--) {
    if (heightFor(k) >= MIN_CHART_HEIGHT) {
      fit = k;
      break;
    }
  }
  const pages = Math.ceil(symbols / fit);
  const perPage = Math.ceil(symbols / pages);
  return { perPage, chartHeight: Math.max(2, Math.min(MAX_CHART_HEIGHT, heightFor(perPage))) };
}

/** The frame for `snapshots`, no line wider than `width`. */
export function renderFrame(
  snapshots: SymbolSnapshot[],
  plan: WatchPlan,
  io: IO,
  width: number,
  chartHeight: number,
): string[] {
  const lines: string[] = [];
  for (const [i, snapshot] of snapshots.entries()) {
    if (i > 0) lines.push('');
    lines.push(...renderSymbol(snapshot, plan, io, width, chartHeight));
  }
  lines.push(legend(plan, io, width));
  return lines;
}

function renderSymbol(snapshot: SymbolSnapshot, plan: WatchPlan, io: IO, width: number, height: number): string[] {
  const { style } = io;
  const last = snapshot.points.at(-1);
  if (!last) return [`${style.bold(snapshot.symbol)}  ${style.dim('no quotes yet')}`];
  const sma = (value: number | null) => (value === null ? '—' : formatPrice(value));
  const change = formatChange(snapshot);
  const moved = snapshot.change ?? snapshot.change_percent ?? 0;
  const count = snapshot.points.length;
  const header = fitParts(
    [
      style.bold(snapshot.symbol),
      formatPrice(last.price),
      ...(change ? [moved > 0 ? style.green(change) : moved < 0 ? style.red(change) : change] : []),
      style.cyan(`SMA${plan.short} ${sma(last.sma_short)}`),
      style.magenta(`SMA${plan.long} ${sma(last.sma_long)}`),
      style.dim(`${count} ${count === 1 ? 'point' : 'points'}`),
    ],
    '  ',
    width,
  );
  const index = new Map(snapshot.points.map((point, i) => [point.timestamp, i]));
  const inView = snapshot.alerts.filter((alert) => index.has(alert.timestamp));
  const markers = new Map<number, string>();
  for (const alert of inView) markers.set(index.get(alert.timestamp) as number, alert.signal);
  const chart = renderChart(
    {
      prices: snapshot.points.map((p) => p.price),
      smaShort: snapshot.points.map((p) => p.sma_short ?? undefined),
      smaLong: snapshot.points.map((p) => p.sma_long ?? undefined),
      markers,
      times: snapshot.points.map((p) => p.timestamp),
    },
    { height, width, style },
  );
  return [header, ...chart, alertsLine(inView, io, width)];
}

/** The alerts in view, newest last, as many as fit; the earlier ones counted. */
function alertsLine(alerts: SymbolSnapshot['alerts'], io: IO, width: number): string {
  const { style } = io;
  if (alerts.length === 0) return style.dim('  no alerts in view');
  const sorted = [...alerts].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  const text = (alert: SymbolSnapshot['alerts'][number]) => {
    const glyph =
      alert.signal === 'BUY' ? CHART_GLYPHS.buy : alert.signal === 'SELL' ? CHART_GLYPHS.sell : CHART_GLYPHS.other;
    const time = parseInstant(alert.timestamp)?.time ?? alert.timestamp;
    return `${glyph} ${alert.signal} at ${formatPrice(alert.price)} ${time} (${alert.strategy})`;
  };
  const shown: string[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const candidate = [text(sorted[i] as SymbolSnapshot['alerts'][number]), ...shown];
    const earlier = i > 0 ? `${i} earlier · ` : '';
    if (shown.length > 0 && 2 + earlier.length + candidate.join(' · ').length > width) break;
    shown.unshift(candidate[0] as string);
  }
  const earlier = sorted.length - shown.length;
  return `  ${earlier > 0 ? style.dim(`${earlier} earlier · `) : ''}${shown.join(' · ')}`;
}

function legend(plan: WatchPlan, io: IO, width: number): string {
  return io.style.dim(
    fitParts(
      [
        `${CHART_GLYPHS.price} price`,
        `${CHART_GLYPHS.short} SMA${plan.short}`,
        `${CHART_GLYPHS.long} SMA${plan.long}`,
        `${CHART_GLYPHS.buy} BUY`,
        `${CHART_GLYPHS.sell} SELL`,
        `${CHART_GLYPHS.other} anomaly`,
      ],
      '  ',
      width,
    ),
  );
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes take no room
const ANSI = /\u001b\[[0-9;]*m/g;
const visible = (text: string) => text.replace(ANSI, '').length;

/** The parts joined, leaving out whole parts from the end until the line fits `width`. */
export function fitParts(parts: string[], separator: string, width: number): string {
  const kept = [...parts];
  while (kept.length > 1 && visible(kept.join(separator)) > width) kept.pop();
  return kept.join(separator);
}
