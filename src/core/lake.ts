/**
 * The one definition of the lake's table, `stock_data_table`: its columns (data contract v1, in
 * order), the `dt` partitions it covers, and the rule that makes it hold each observation once
 * ({@link latestObservationsSql}). The Glue raw table and view (src/pipeline/resources/glue.ts,
 * glue-view.ts) and the local DuckDB view (src/query/duckdb.ts) are all built from it, so a query
 * returns the same rows on both targets. Pure.
 */
import { partitionDate } from './event.ts';

export interface LakeColumn {
  name: string;
  /** Hive/Glue type. */
  glue: 'string' | 'double' | 'bigint';
  /** DuckDB type. */
  duckdb: 'VARCHAR' | 'DOUBLE' | 'BIGINT';
  /** Presto/Trino type (Athena's SQL types: what a view's definition declares). */
  presto: 'varchar' | 'double' | 'bigint';
}

const text = (name: string): LakeColumn => ({ name, glue: 'string', duckdb: 'VARCHAR', presto: 'varchar' });
const real = (name: string): LakeColumn => ({ name, glue: 'double', duckdb: 'DOUBLE', presto: 'double' });

/** Every field of a stored event, in the contract's order (volume is an integer: bigint). */
export const LAKE_COLUMNS: readonly LakeColumn[] = [
  text('event_id'),
  text('symbol'),
  text('timestamp'),
  real('price'),
  real('open'),
  real('high'),
  real('low'),
  real('previous_close'),
  real('change'),
  real('change_percent'),
  { name: 'volume', glue: 'bigint', duckdb: 'BIGINT', presto: 'bigint' },
  text('currency'),
  text('market_state'),
  text('source'),
];

/** The partition column: the UTC date of an event's timestamp, `YYYY-MM-DD`. */
export const LAKE_PARTITION = 'dt';

/** What a query sees: every column of the contract, then the partition (a string). */
export const LAKE_VIEW_COLUMNS: readonly LakeColumn[] = [...LAKE_COLUMNS, text(LAKE_PARTITION)];

/**
 * One row per observation: `(symbol, timestamp)` is an observation's identity, and of the lake's
 * copies of it the one from the greatest object name wins, as DynamoDB keeps the latest write
 * (object keys end in the batch's first sequence number, which grows with arrival). `source`
 * must have the view's columns plus whatever `fileName` names: Athena's `"$path"` over the raw
 * table, DuckDB's `filename` over read_json. `dt` is in the window's partition (a no-op: it is the
 * date of `timestamp`) so a query's `dt` predicate is pushed below the window and Athena prunes
 * partitions through the view.
 */
export function latestObservationsSql(source: string, fileName: string): string {
  const columns = LAKE_VIEW_COLUMNS.map(({ name }) => `"${name}"`).join(', ');
  return [
    `SELECT ${columns}`,
    'FROM (',
    `  SELECT *, row_number() OVER (PARTITION BY "symbol", "timestamp", "${LAKE_PARTITION}" ORDER BY ${fileName} DESC) AS observation_rank`,
    `  FROM ${source}`,
    ') AS observations',
    'WHERE observation_rank = 1',
  ].join('\n');
}

/**
 * The `dt` partitions the table covers: every date the ingest door accepts (epoch onwards, so
 * replayed history is queryable) up to tomorrow, so today's late or slightly-future records —
 * a clock ahead of UTC — are not dropped. Athena's projection understands `NOW+1DAYS` itself.
 */
export const LAKE_PROJECTION = {
  start: '1970-01-01',
  /** Days after today (UTC) the range ends at. */
  daysAhead: 1,
} as const;

/** Glue's `projection.dt.range` for {@link LAKE_PROJECTION}. */
export function glueProjectionRange(): string {
  return `${LAKE_PROJECTION.start},NOW+${LAKE_PROJECTION.daysAhead}DAYS`;
}

/** The first and last `dt` of the range at `now`, for engines that need dates (DuckDB). */
export function lakeDateRange(now: Date): { from: string; to: string } {
  const to = new Date(now.getTime() + LAKE_PROJECTION.daysAhead * 86_400_000).toISOString();
  return { from: LAKE_PROJECTION.start, to: partitionDate(to) };
}
