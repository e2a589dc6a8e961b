/**
 * Turns `stockpipe query` flags into one SQL statement, or a UsageError before any network call.
 */
import { resolve } from 'node:path';
import { UsageError } from '../../errors.ts';
import { readInputFile } from '../../input-file.ts';
import {
  buildNamedQuery,
  type DateRange,
  isNamedQuery,
  NAMED_QUERY_NAMES,
  type NamedQueryName,
  parseDate,
  rangeSince,
  utcDate,
} from '../../query/named.ts';
import { writingStatementKind } from '../../query/statement.ts';
import type { TableFormat } from '../../ui/table-formats.ts';
import { checkSinceReach, parseNonNegativeDuration } from '../shared/since.ts';
import { parseSymbol } from '../shared/symbol.ts';
import type { QueryFlags } from './command.ts';

/** The flags (checked against their specs: --limit a whole number, --format one of the formats) and the arguments. */
export type QueryOptions = QueryFlags & {
  /** A named query, or `sql`. */
  name: string;
  /** The statement, for `query sql "<SQL>"`. */
  sql?: string;
};

export interface QueryPlan {
  /** The statement: `stock_data_table` holds each observation once on every engine. */
  sql: string;
  /** The named query, or undefined for `query sql`. */
  named?: NamedQueryName;
  range?: DateRange;
  format: TableFormat;
}

export const DEFAULT_SINCE = '1d';

export function planQuery(options: QueryOptions, context: { cwd: string; now: Date; json: boolean }): QueryPlan {
  const format = parseFormat(options.format, context.json);
  if (options.name === '') {
    throw new UsageError(`name a query: ${NAMED_QUERY_NAMES.join(', ')}, or sql "<SQL>"`);
  }
  if (options.name === 'sql') {
    for (const flag of ['limit', 'threshold', 'symbol', 'since', 'from', 'to'] as const) {
      if (options[flag] !== undefined) throw new UsageError(`--${flag} applies to the named queries, not to query sql`);
    }
    return { sql: readSql(options, context.cwd), format };
  }
  if (!isNamedQuery(options.name)) {
    throw new UsageError(`unknown query '${options.name}': use one of ${NAMED_QUERY_NAMES.join(', ')}, or sql "<SQL>"`);
  }
  const named = options.name;
  if (options.sql !== undefined || options.file !== undefined) {
    throw new UsageError(`query ${named} takes no SQL: use query sql "<SQL>" or --file for your own`);
  }
  if (options.limit !== undefined && named !== 'top-movers' && named !== 'history') {
    throw new UsageError('--limit applies to top-movers and history');
  }
  if (options.threshold !== undefined && named !== 'anomalies')
    throw new UsageError('--threshold applies to anomalies');
  if (options.symbol !== undefined && named !== 'history') throw new UsageError('--symbol applies to history');
  if (named === 'history' && !options.symbol) {
    throw new UsageError('query history needs --symbol, e.g. --symbol AAPL');
  }
  const symbol = options.symbol === undefined ? undefined : parseSymbol(options.symbol);
  const range = parseRange(options, context.now);
  const params = {
    range,
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.threshold !== undefined ? { threshold: parseThreshold(options.threshold) } : {}),
    ...(symbol ? { symbol } : {}),
  };
  return { sql: buildNamedQuery(named, params), named, range, format };
}

function parseFormat(format: TableFormat | undefined, json: boolean): TableFormat {
  if (format === undefined) return json ? 'json' : 'table';
  if (json && format !== 'json') throw new UsageError(`--json prints JSON: drop --json to get --format ${format}`);
  return format;
}

function readSql(options: QueryOptions, cwd: string): string {
  if (options.sql !== undefined && options.file !== undefined) {
    throw new UsageError('give the SQL either as an argument or with --file, not both');
  }
  let sql: string;
  if (options.file !== undefined) {
    // Athena takes a query string of at most 256 KB.
    sql = readInputFile(resolve(cwd, options.file), `--file ${options.file}`, 256 * 1024);
  } else if (options.sql !== undefined) {
    sql = options.sql;
  } else {
    throw new UsageError('query sql needs a statement: query sql "SELECT …" or query sql --file q.sql');
  }
  const statement = withoutTrailingSemicolons(sql);
  if (statement === '') throw new UsageError('the SQL statement is empty');
  const writing = writingStatementKind(statement);
  if (writing) {
    throw new UsageError(
      `query sql runs one read-only statement (SELECT, WITH … SELECT); got ${writing} — the lake is written by the pipeline only`,
    );
  }
  return statement;
}

/**
 * The statement as every engine takes it: trimmed, without the `;` that ends it in a script or
 * the tutorial. Athena (Trino) refuses one (`mismatched input ';'. Expecting: <EOF>`); DuckDB
 * takes either, so both targets are sent the same text.
 */
export function withoutTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '').trim();
}

function parseRange(options: QueryOptions, now: Date): DateRange {
  if (options.from === undefined && options.to === undefined) {
    const text = options.since ?? DEFAULT_SINCE;
    const since = parseSince(text);
    checkSinceReach(text, since, '--since');
    return rangeSince(since, now);
  }
  if (options.since !== undefined) throw new UsageError('use either --since or --from/--to, not both');
  const from = options.from === undefined ? undefined : parseDate(options.from);
  if (options.from !== undefined && !from) throw new UsageError(`invalid --from '${options.from}': use YYYY-MM-DD`);
  const to = options.to === undefined ? utcDate(now) : parseDate(options.to);
  if (!to) throw new UsageError(`invalid --to '${options.to}': use YYYY-MM-DD`);
  const start = from ?? to;
  if (start > to) throw new UsageError(`--from ${start} is after --to ${to}`);
  return { from: start, to };
}

export function parseSince(text: string): number {
  return parseNonNegativeDuration(text, '--since');
}

function parseThreshold(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`invalid --threshold '${text}': use a percentage ≥ 0, e.g. 5`);
  }
  return value;
}
