/**
 * What every SQL engine behind `stockpipe query` provides: Athena on AWS, DuckDB offline.
 * Commands depend on this interface only.
 */

export type ColumnKind = 'number' | 'boolean' | 'string';

export interface ResultColumn {
  name: string;
  /** The engine's own type name (Athena: varchar, double, bigint, …). */
  type: string;
  kind: ColumnKind;
}

/** A typed value: numbers as numbers, booleans as booleans, SQL NULL as null. */
export type ResultValue = string | number | boolean | null;

export interface QueryStats {
  engine: 'athena' | 'duckdb';
  queryId?: string;
  /** Bytes the engine read; undefined when the engine does not say. */
  bytesScanned?: number;
  /** Wall time from submission to the last row, as the client saw it. */
  runTimeMs: number;
}

export interface QueryResult {
  columns: ResultColumn[];
  /** One array per row, in column order; empty when the rows went to `onRows` instead. */
  rows: ResultValue[][];
  /** How many rows the query returned (also when they went to `onRows`). */
  rowCount: number;
  stats: QueryStats;
}

/** Takes a result's rows as the engine hands them over (a DuckDB chunk, an Athena page). */
export type RowsConsumer = (columns: ResultColumn[], rows: ResultValue[][]) => Promise<void> | void;

export interface QueryRunOptions {
  signal?: AbortSignal;
  /** Told the engine's state while the query runs (Athena: QUEUED, RUNNING), for a spinner. */
  onProgress?: (state: string) => void;
  /**
   * Rows as they arrive, in order, instead of in the result: a result of any size in bounded
   * memory. Called at least once (with no rows for an empty result), so the columns are known.
   */
  onRows?: RowsConsumer;
}

/** An error of the rows' consumer (a closed stdout, a cancel), told apart from the engine's own. */
export class ConsumerError extends Error {
  override readonly name = 'ConsumerError';
}

/**
 * Hands `rows` to the consumer, or keeps them when there is none; returns how many. A consumer's
 * error comes back as a ConsumerError, so a runner passes it on as it is.
 */
export async function deliverRows(
  onRows: RowsConsumer | undefined,
  kept: ResultValue[][],
  columns: ResultColumn[],
  rows: ResultValue[][],
): Promise<number> {
  if (!onRows) {
    for (const row of rows) kept.push(row);
    return rows.length;
  }
  try {
    await onRows(columns, rows);
  } catch (error) {
    throw new ConsumerError('the rows could not be taken', { cause: error });
  }
  return rows.length;
}

export interface QueryRunner {
  /** Runs one statement to completion. An aborted signal cancels it (QueryCancelledError). */
  run(sql: string, options: QueryRunOptions): Promise<QueryResult>;
}

/** The query was cancelled on request (Ctrl+C); the engine was told to stop it. */
export class QueryCancelledError extends Error {
  override readonly name = 'QueryCancelledError';
  readonly queryId: string | undefined;
  constructor(queryId: string | undefined) {
    super(queryId ? `query ${queryId} cancelled` : 'query cancelled');
    this.queryId = queryId;
  }
}

/** Athena's per-TB price: $5 per TB scanned (1 TB = 2^40 bytes), at least 10 MB per query that scanned any data. */
export const PRICE_PER_TB_USD = 5;
const TB = 2 ** 40;
const MIN_BILLED_BYTES = 10 * 2 ** 20;

export function queryCostUsd(bytesScanned: number): number {
  if (bytesScanned <= 0) return 0;
  return (Math.max(bytesScanned, MIN_BILLED_BYTES) / TB) * PRICE_PER_TB_USD;
}

/** Rows as objects keyed by column name (the shape of `--format json`). */
export function rowsAsObjects(result: Pick<QueryResult, 'columns' | 'rows'>): Record<string, ResultValue>[] {
  return result.rows.map((row) =>
    Object.fromEntries(result.columns.map((column, index) => [column.name, row[index] ?? null])),
  );
}
