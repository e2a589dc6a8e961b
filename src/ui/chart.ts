/**
 * A small terminal price chart: the price line, the short and long SMA, and alert markers, on a
 * fixed-height grid with the price scale on the left and a time axis under it. A series longer
 * than the room is drawn a bucket of points per column (each column its last point), so every
 * point in view — and every alert on one — is on the chart. Pure: returns lines; colour via the style.
 */
import type { ChalkInstance } from 'chalk';
import { formatInstant, parseInstant, sharedDate } from './times.ts';

export interface ChartSeries {
  prices: number[];
  smaShort: (number | undefined)[];
  smaLong: (number | undefined)[];
  /** Index into prices → signal (BUY ▲, SELL ▼, anything else !). */
  markers: Map<number, string>;
  /** Each point's time (ISO-8601 UTC): labels the axis under the chart. */
  times?: string[];
}

export interface ChartOptions {
  height: number;
  /** The widest line the chart may draw, scale included. */
  width: number;
  style: ChalkInstance;
}

export const CHART_GLYPHS = { price: '●', short: '·', long: '-', buy: '▲', sell: '▼', other: '!' } as const;

/** Which points each column draws: `columns[c]` is the range [from, to) of point indexes. */
export function chartColumns(points: number, room: number): { from: number; to: number }[] {
  const count = Math.min(points, Math.max(1, room));
  return Array.from({ length: count }, (_, c) => ({
    from: Math.floor((c * points) / count),
    to: Math.floor(((c + 1) * points) / count),
  }));
}

export function renderChart(series: ChartSeries, options: ChartOptions): string[] {
  const { style } = options;
  const { prices } = series;
  if (prices.length === 0) return [style.dim('  (no points yet)')];
  const all = [...prices, ...series.smaShort, ...series.smaLong].filter((v): v is number => v !== undefined);
  const min = Math.min(...all);
  const max = Math.max(...all);
  const labelWidth = Math.max(formatPrice(max).length, formatPrice(min).length);
  const columns = chartColumns(prices.length, options.width - labelWidth - 2);
  const height = Math.max(2, options.height);
  const rowOf = (value: number) =>
    max === min ? Math.floor(height / 2) : Math.round(((max - value) / (max - min)) * (height - 1));

  const grid: string[][] = Array.from({ length: height }, () => Array.from({ length: columns.length }, () => ' '));
  // Each column shows its bucket's last point.
  const plot = (values: (number | undefined)[], glyph: string) => {
    columns.forEach(({ to }, column) => {
      const value = values[to - 1];
      if (value !== undefined) (grid[rowOf(value)] as string[])[column] = glyph;
    });
  };
  plot(series.smaLong, style.magenta(CHART_GLYPHS.long));
  plot(series.smaShort, style.cyan(CHART_GLYPHS.short));
  plot(prices, CHART_GLYPHS.price);
  const columnOf = new Map<number, number>();
  columns.forEach(({ from, to }, column) => {
    for (let index = from; index < to; index++) columnOf.set(index, column);
  });
  for (const [index, signal] of [...series.markers].sort(([a], [b]) => a - b)) {
    const column = columnOf.get(index);
    const price = prices[index];
    if (column === undefined || price === undefined) continue;
    const glyph =
      signal === 'BUY'
        ? style.bold.green(CHART_GLYPHS.buy)
        : signal === 'SELL'
          ? style.bold.red(CHART_GLYPHS.sell)
          : style.bold.yellow(CHART_GLYPHS.other);
    (grid[rowOf(price)] as string[])[column] = glyph;
  }

  const lines = grid.map((row, index) => {
    const label = index === 0 ? formatPrice(max) : index === height - 1 ? formatPrice(min) : '';
    return `${style.dim(label.padStart(labelWidth))} ┤${row.join('').trimEnd()}`;
  });
  if (series.times) lines.push(style.dim(`${' '.repeat(labelWidth + 2)}${timeAxis(series.times, columns.length)}`));
  return lines;
}

/**
 * The first and last time of the chart under its first and last column, to the second: with the
 * date when they span days, or on the left when there is room.
 */
export function timeAxis(times: string[], room: number): string {
  const first = parseInstant(times[0]);
  const last = parseInstant(times.at(-1));
  if (!first || !last) return '';
  const oneDay = sharedDate([first, last]) !== undefined;
  const candidates: [string, string][] = oneDay
    ? [
        [`${first.date} ${first.time}`, last.time],
        [first.time, last.time],
      ]
    : [
        [formatInstant(first, { fraction: 0, withDate: true }), formatInstant(last, { fraction: 0, withDate: true })],
        [`${first.date.slice(5)} ${first.time}`, `${last.date.slice(5)} ${last.time}`],
      ];
  if (times.length === 1) {
    const whole = formatInstant(last, { fraction: 0, withDate: true });
    return whole.length <= room ? whole : last.time;
  }
  for (const [left, right] of candidates) {
    if (left.length + 1 + right.length <= room)
      return `${left}${' '.repeat(room - left.length - right.length)}${right}`;
  }
  // Too narrow for both: the last time alone.
  return (candidates.at(-1) as [string, string])[1];
}

export function formatPrice(value: number): string {
  return value >= 1000 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(3);
}
