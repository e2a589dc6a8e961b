/**
 * A small terminal price chart: the price line, the short and long SMA, and alert markers, on a
 * fixed-height grid with the price scale on the left. Pure: returns lines; colour via the style.
 */
import type { ChalkInstance } from 'chalk';

export interface ChartSeries {
  prices: number[];
  smaShort: (number | undefined)[];
  smaLong: (number | undefined)[];
  /** Index into prices → signal (BUY ▲, SELL ▼, anything else !). */
  markers: Map<number, string>;
}

export interface ChartOptions {
  height: number;
  /** Maximum columns of plot; longer series keep their most recent points. */
  width: number;
  style: ChalkInstance;
}

export const CHART_GLYPHS = { price: '●', short: '·', long: '-', buy: '▲', sell: '▼', other: '!' } as const;

export function renderChart(series: ChartSeries, options: ChartOptions): string[] {
  const { style } = options;
  const start = Math.max(0, series.prices.length - options.width);
  const prices = series.prices.slice(start);
  if (prices.length === 0) return [style.dim('  (no points yet)')];
  const smaShort = series.smaShort.slice(start);
  const smaLong = series.smaLong.slice(start);
  const all = [...prices, ...smaShort, ...smaLong].filter((v): v is number => v !== undefined);
  const min = Math.min(...all);
  const max = Math.max(...all);
  const height = Math.max(2, options.height);
  const rowOf = (value: number) =>
    max === min ? Math.floor(height / 2) : Math.round(((max - value) / (max - min)) * (height - 1));

  const grid: string[][] = Array.from({ length: height }, () => Array.from({ length: prices.length }, () => ' '));
  const plot = (values: (number | undefined)[], glyph: string) => {
    values.forEach((value, column) => {
      if (value === undefined) return;
      (grid[rowOf(value)] as string[])[column] = glyph;
    });
  };
  plot(smaLong, style.magenta(CHART_GLYPHS.long));
  plot(smaShort, style.cyan(CHART_GLYPHS.short));
  plot(prices, CHART_GLYPHS.price);
  for (const [index, signal] of series.markers) {
    const column = index - start;
    if (column < 0 || column >= prices.length) continue;
    const glyph =
      signal === 'BUY'
        ? style.bold.green(CHART_GLYPHS.buy)
        : signal === 'SELL'
          ? style.bold.red(CHART_GLYPHS.sell)
          : style.bold.yellow(CHART_GLYPHS.other);
    (grid[rowOf(prices[column] as number)] as string[])[column] = glyph;
  }

  const labelWidth = Math.max(formatPrice(max).length, formatPrice(min).length);
  return grid.map((row, index) => {
    const label = index === 0 ? formatPrice(max) : index === height - 1 ? formatPrice(min) : '';
    return `${style.dim(label.padStart(labelWidth))} ┤${row.join('')}`;
  });
}

export function formatPrice(value: number): string {
  return value >= 1000 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(3);
}
