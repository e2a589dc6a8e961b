/**
 * The one definition of the lake's table, `stock_data_table`: its columns (data contract v1, in
 * order) and the `dt` partitions it covers. The Glue table (src/pipeline/resources/glue.ts) and
 * the local DuckDB view (src/query/duckdb.ts) are both built from it, so a query returns the same
 * rows on both targets. Pure.
 */
import { partitionDate } from './event.ts';

export interface LakeColumn {
  name: string;
  /** Hive/Glue type. */
  glue: 'string' | 'double' | 'bigint';
  /** DuckDB type. */
  duckdb: 'VARCHAR' | 'DOUBLE' | 'BIGINT';
}

const text = (name: string): LakeColumn => ({ name, glue: 'string', duckdb: 'VARCHAR' });
const real = (name: string): LakeColumn => ({ name, glue: 'double', duckdb: 'DOUBLE' });

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
  { name: 'volume', glue: 'bigint', duckdb: 'BIGINT' },
  text('currency'),
  text('market_state'),
  text('source'),
];

/** The partition column: the UTC date of an event's timestamp, `YYYY-MM-DD`. */
export const LAKE_PARTITION = 'dt';

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
