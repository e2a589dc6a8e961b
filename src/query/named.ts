/**
 * The named queries over `stock_data_table`, as SQL text. Every one restricts the `dt` partition
 * to the asked date range, so Athena (partition projection, pushed through the view) reads only
 * those days of the lake. Each observation (symbol, timestamp) is counted once, its latest row,
 * even when the lake holds it twice (a producer's re-send in a later batch): `stock_data_table`
 * is a view that holds it once on both engines (src/core/lake.ts). Pure: no I/O; the same SQL
 * runs on Athena and on DuckDB.
 */
import { GLUE_TABLE } from '../core/names.ts';

export const NAMED_QUERY_NAMES = ['top-movers', 'avg-volume', 'anomalies', 'latest', 'history'] as const;
export type NamedQueryName = (typeof NAMED_QUERY_NAMES)[number];

/** Inclusive range of `dt` partition values, `YYYY-MM-DD`. */
export interface DateRange {
  from: string;
  to: string;
}

export interface NamedQueryParams {
  range: DateRange;
  /** top-movers: how many rows (default 5); history: at most this many points (default 100). */
  limit?: number;
  /** anomalies: |change_percent| above this many percent (default 5). */
  threshold?: number;
  /** history: the symbol (already validated against SYMBOL_PATTERN). */
  symbol?: string;
}

export const NAMED_QUERY_HELP: Record<NamedQueryName, string> = {
  'top-movers': 'each symbol’s largest price change (price - previous_close), --limit symbols (default 5)',
  'avg-volume': 'average volume and observation count per symbol',
  anomalies: 'moves with |change_percent| above --threshold percent (default 5)',
  latest: 'the most recent observation of every symbol',
  history: 'the newest --limit observations of --symbol (default 100), oldest first',
};

export function isNamedQuery(name: string): name is NamedQueryName {
  return (NAMED_QUERY_NAMES as readonly string[]).includes(name);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `dt BETWEEN 'from' AND 'to'`: the partition filter every named query carries. */
export function dtPredicate(range: DateRange): string {
  if (!DATE.test(range.from) || !DATE.test(range.to)) throw new Error(`invalid date range ${range.from}..${range.to}`);
  return `dt BETWEEN '${range.from}' AND '${range.to}'`;
}

export function buildNamedQuery(name: NamedQueryName, params: NamedQueryParams): string {
  const where = dtPredicate(params.range);
  switch (name) {
    case 'top-movers':
      // Each symbol's largest move, then the symbols by it: five ticks of one symbol are not five movers.
      return [
        'SELECT symbol, timestamp, price, previous_close, change, change_percent',
        'FROM (',
        '  SELECT symbol, timestamp, price, previous_close, price - previous_close AS change, change_percent,',
        '    row_number() OVER (PARTITION BY symbol ORDER BY abs(price - previous_close) DESC, timestamp DESC) AS move_rank',
        `  FROM ${GLUE_TABLE}`,
        `  WHERE ${where} AND previous_close IS NOT NULL`,
        ') moves',
        'WHERE move_rank = 1',
        'ORDER BY abs(change) DESC, symbol',
        `LIMIT ${positiveInteger(params.limit ?? 5, 'limit')}`,
      ].join('\n');
    case 'avg-volume':
      return [
        'SELECT symbol, avg(volume) AS avg_volume, count(*) AS observations',
        `FROM ${GLUE_TABLE}`,
        `WHERE ${where}`,
        'GROUP BY symbol',
        'ORDER BY avg_volume DESC, symbol',
      ].join('\n');
    case 'anomalies':
      return [
        'SELECT symbol, timestamp, price, change, change_percent',
        `FROM ${GLUE_TABLE}`,
        `WHERE ${where} AND abs(change_percent) > ${nonNegativeNumber(params.threshold ?? 5, 'threshold')}`,
        'ORDER BY timestamp DESC, symbol',
      ].join('\n');
    case 'latest':
      return [
        'SELECT symbol, timestamp, price, change, change_percent, volume',
        'FROM (',
        '  SELECT symbol, timestamp, price, change, change_percent, volume,',
        '    row_number() OVER (PARTITION BY symbol ORDER BY timestamp DESC) AS rn',
        `  FROM ${GLUE_TABLE}`,
        `  WHERE ${where}`,
        ') AS ranked',
        'WHERE rn = 1',
        'ORDER BY symbol',
      ].join('\n');
    case 'history': {
      const symbol = params.symbol;
      // Symbols are validated against SYMBOL_PATTERN (no quotes), so a literal is safe here.
      if (!symbol || !/^[A-Z0-9.\-^=]{1,12}$/.test(symbol)) throw new Error('history needs a valid --symbol');
      // The newest --limit points of the range, shown oldest first.
      return [
        'SELECT symbol, timestamp, price, change, change_percent, volume',
        'FROM (',
        '  SELECT symbol, timestamp, price, change, change_percent, volume',
        `  FROM ${GLUE_TABLE}`,
        `  WHERE ${where} AND symbol = '${symbol}'`,
        '  ORDER BY timestamp DESC',
        `  LIMIT ${positiveInteger(params.limit ?? 100, 'limit')}`,
        ') AS recent',
        'ORDER BY timestamp',
      ].join('\n');
    }
  }
}

/**
 * The seed tutorial's four Athena queries, verbatim: they must run unchanged against
 * stock_data_table (snake_case columns). Shown in `query --help` and the README.
 */
export const TUTORIAL_QUERIES = {
  sample: 'SELECT * FROM stock_data_table LIMIT 10;',
  topChanges:
    'SELECT symbol, price, previous_close, (price - previous_close) AS price_change FROM stock_data_table ORDER BY price_change DESC LIMIT 5;',
  avgVolume: 'SELECT symbol, AVG(volume) AS avg_volume FROM stock_data_table GROUP BY symbol;',
  bigMoves: 'SELECT symbol, price, previous_close, change_percent FROM stock_data_table WHERE ABS(change_percent) > 5;',
} as const;

/** The date range ending today (UTC) that covers the last `sinceMs`. */
export function rangeSince(sinceMs: number, now: Date): DateRange {
  return { from: utcDate(new Date(now.getTime() - sinceMs)), to: utcDate(now) };
}

export function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A `YYYY-MM-DD` that names a real day, or undefined. */
export function parseDate(text: string): string | undefined {
  if (!DATE.test(text)) return undefined;
  const time = Date.parse(`${text}T00:00:00.000Z`);
  return Number.isFinite(time) && utcDate(new Date(time)) === text ? text : undefined;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be a whole number ≥ 1`);
  return value;
}

function nonNegativeNumber(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${what} must be a number ≥ 0`);
  return value;
}
