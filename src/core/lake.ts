/**
 * The one definition of the lake's table, `stock_data_table`: its columns (data contract v1, in
 * order), the two folders of raw objects it reads and the `dt` partitions it covers, and the rule
 * that makes it hold each observation once ({@link latestObservationsSql}). The Glue raw tables and
 * view (src/pipeline/resources/glue.ts, glue-view.ts), the ingest function's object keys and the
 * local DuckDB view (src/query/duckdb.ts) are all built from it, so a query returns the same rows
 * on both targets. Pure.
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
 * The raw lake's two folders. The ingest function writes a record by its date while it is fresh
 * (today's and yesterday's, by arrival: live data and a day's late data) and by its month once it
 * is older (replayed history, late data): a batch of daily bars then makes a few objects instead
 * of one per date (docs/lake.md). Each folder is a Glue table with partition projection; the view
 * reads both.
 */
export interface RawFolder {
  /** The key prefix, without a slash. */
  prefix: string;
  /** Its partition column, the folder's `<partition>=<value>/` level. */
  partition: string;
  /**
   * Glue's partition projection of that column. Its range runs from a start sized to the data
   * ({@link projectionStart}, widened when older records come: docs/lake.md) to `end`.
   */
  projection: { format: string; end: string; unit: 'DAYS' | 'MONTHS' };
  /** The partition value of a date (`YYYY-MM-DD`) in this folder. */
  valueOf(date: string): string;
  /** What a partition value looks like. */
  pattern: RegExp;
  /** SQL for a row's `dt`: the partition itself, or the date of its timestamp. */
  dtSql: string;
}

export const RAW_BY_DATE: RawFolder = {
  prefix: 'raw',
  partition: LAKE_PARTITION,
  // Up to tomorrow, so today's slightly-future records — a clock ahead of UTC — are not dropped.
  projection: { format: 'yyyy-MM-dd', end: 'NOW+1DAYS', unit: 'DAYS' },
  valueOf: (date) => date,
  pattern: /^\d{4}-\d{2}-\d{2}$/,
  dtSql: `"${LAKE_PARTITION}"`,
};

export const RAW_BY_MONTH: RawFolder = {
  prefix: 'raw-months',
  partition: 'month',
  // Only records dated before yesterday come here: never a month after the current one.
  projection: { format: 'yyyy-MM', end: 'NOW', unit: 'MONTHS' },
  valueOf: (date) => date.slice(0, 7),
  pattern: /^\d{4}-\d{2}$/,
  dtSql: 'substr("timestamp", 1, 10)',
};

/** Both folders, the dated one first. */
export const RAW_FOLDERS: readonly RawFolder[] = [RAW_BY_DATE, RAW_BY_MONTH];

/**
 * Where a folder's projection starts: at its oldest stored partition, or at `now`'s (today, this
 * month) when it holds nothing older — never at an empty past. Older records written later widen
 * it ({@link startsNeededFor}; `stream --source replay` and `query` on AWS do).
 */
export function projectionStart(folder: RawFolder, oldestStored: string | undefined, now: Date): string {
  const current = folder.valueOf(partitionDate(now.toISOString()));
  return oldestStored !== undefined && oldestStored < current ? oldestStored : current;
}

/** Glue's `projection.<partition>.range`, from `start`. */
export function glueProjectionRange(folder: RawFolder, start: string): string {
  return `${start},${folder.projection.end}`;
}

/** The start of a `projection.<partition>.range`, or undefined when it is not one of ours. */
export function projectionRangeStart(folder: RawFolder, range: string | undefined): string | undefined {
  const start = range?.split(',')[0]?.trim();
  return start !== undefined && folder.pattern.test(start) ? start : undefined;
}

/**
 * The projection starts records as old as `oldestTimestamp` need when they are stored at `now`
 * (rawFolderOf): its month for the monthly folder when it is older than yesterday (and yesterday
 * for the dated folder, where the rest of such a file's fresh records go), else its date.
 */
export function startsNeededFor(oldestTimestamp: string, now: Date): Map<RawFolder, string> {
  const date = partitionDate(oldestTimestamp);
  const yesterday = partitionDate(new Date(now.getTime() - 86_400_000).toISOString());
  return date >= yesterday
    ? new Map([[RAW_BY_DATE, date]])
    : new Map([
        [RAW_BY_MONTH, RAW_BY_MONTH.valueOf(date)],
        [RAW_BY_DATE, yesterday],
      ]);
}

/** Every partition value a folder's projection from `start` covers at `now` (oldest first). */
export function projectedValues(folder: RawFolder, start: string, now: Date): string[] {
  const last = folder === RAW_BY_DATE ? lakeLastDate(now) : folder.valueOf(partitionDate(now.toISOString()));
  const values: string[] = [];
  for (let value = start; value <= last; value = nextValue(folder, value)) values.push(value);
  return values;
}

function nextValue(folder: RawFolder, value: string): string {
  if (folder.projection.unit === 'DAYS') {
    return partitionDate(new Date(Date.parse(`${value}T00:00:00.000Z`) + 86_400_000).toISOString());
  }
  const [year, month] = value.split('-').map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}

/**
 * The folder (`raw/dt=YYYY-MM-DD` or `raw-months/month=YYYY-MM`) a record with this timestamp
 * goes to when it is stored at `now`.
 */
export function rawFolderOf(timestamp: string, now: Date): string {
  const date = partitionDate(timestamp);
  const yesterday = partitionDate(new Date(now.getTime() - 86_400_000).toISOString());
  return date >= yesterday
    ? `${RAW_BY_DATE.prefix}/${RAW_BY_DATE.partition}=${date}`
    : `${RAW_BY_MONTH.prefix}/${RAW_BY_MONTH.partition}=${date.slice(0, 7)}`;
}

/** One input of the view: a table (or subquery) with the lake's columns, read as one folder. */
export interface LakeSource {
  from: string;
  /** Its rows' `dt` (see {@link RawFolder.dtSql}). */
  dt: string;
  /**
   * The name of the object a row was written in, which ranks its copies: for a raw table the last
   * segment of its path ({@link objectNameOf}), for a compacted one the column compaction kept it in.
   */
  objectName: string;
  /** A filter of the source's own (compaction reads only the periods it rewrites). */
  where?: string;
}

/** A raw row's object name from its path (Athena's `"$path"`, DuckDB's `filename`). */
export function objectNameOf(path: string): string {
  return `regexp_extract(${path}, '[^/]+$')`;
}

/**
 * The column a compacted row keeps the name of the raw object it came from: a compacted copy ranks
 * exactly as its original did, so the view picks the same row whichever copies exist (docs/lake.md).
 */
export const OBJECT_NAME_COLUMN = 'object_name';

/**
 * The compacted twin of a raw folder (written by `stockpipe compact`, docs/lake.md): the same
 * partitioning — by `dt` for closed days of live data, by month for closed months of history — so
 * a `dt` predicate prunes it exactly as it prunes the raw folder; Parquet (zstd), the lake's
 * columns and {@link OBJECT_NAME_COLUMN}, the partition in the path only (Hive's layout).
 */
export interface CompactedFolder {
  prefix: string;
  partition: string;
  /** The raw folder whose closed periods it holds. */
  raw: RawFolder;
  /** SQL for a row's `dt`, as for the raw folder. */
  dtSql: string;
}

export const COMPACTED_BY_DATE: CompactedFolder = {
  prefix: 'compacted',
  partition: LAKE_PARTITION,
  raw: RAW_BY_DATE,
  dtSql: `"${LAKE_PARTITION}"`,
};

export const COMPACTED_BY_MONTH: CompactedFolder = {
  prefix: 'compacted-months',
  partition: 'month',
  raw: RAW_BY_MONTH,
  dtSql: 'substr("timestamp", 1, 10)',
};

export const COMPACTED_FOLDERS: readonly CompactedFolder[] = [COMPACTED_BY_DATE, COMPACTED_BY_MONTH];

/** The columns of a compacted object (the partition is in its path). */
export const COMPACTED_COLUMNS: readonly LakeColumn[] = [...LAKE_COLUMNS, text(OBJECT_NAME_COLUMN)];

/**
 * The periods of a raw folder that can no longer receive records at `now` (rawFolderOf): dated
 * folders before yesterday (ingest writes today's and yesterday's records by date), months before
 * yesterday's (its earlier days are written by month).
 */
export function closedBefore(folder: RawFolder, now: Date): string {
  const yesterday = partitionDate(new Date(now.getTime() - 86_400_000).toISOString());
  return folder.valueOf(yesterday);
}

/**
 * What makes a stored row an observation: its identity, symbol and timestamp, is there. A line the
 * engine cannot read as an event (a malformed line) is not one: Athena's OpenX SerDe, told to
 * ignore malformed JSON, turns it into a row of NULLs, and DuckDB's reader may too; the view drops
 * it on both engines by this one rule.
 */
export const OBSERVATION_SQL = '"symbol" IS NOT NULL AND "timestamp" IS NOT NULL';

/**
 * One row per observation ({@link OBSERVATION_SQL}): `(symbol, timestamp)` is an observation's identity, and of the lake's
 * copies of it the one from the greatest object *name* wins, as DynamoDB keeps the latest write
 * (an object is named `<shard>-<first sequence number>`, which grows with arrival, in whichever
 * folder it is). `dt` is in the window's partition (a no-op: it is the date of `timestamp`) so a
 * query's `dt` predicate is pushed below the window: Athena prunes the dated folder's partitions
 * through the view (the monthly folder is read whole; docs/lake.md says why that is cheap).
 */
export function latestObservationsSql(
  sources: readonly LakeSource[],
  options: { keepObjectName?: boolean } = {},
): string {
  const columns = LAKE_COLUMNS.map(({ name }) => `"${name}"`).join(', ');
  const union = sources
    .map(
      (source) =>
        `    SELECT ${columns}, ${source.dt} AS "${LAKE_PARTITION}", ${source.objectName} AS ${OBJECT_NAME_COLUMN} FROM ${source.from} WHERE ${OBSERVATION_SQL}${source.where ? ` AND ${source.where}` : ''}`,
    )
    .join('\n    UNION ALL\n');
  const viewColumns = [
    ...LAKE_VIEW_COLUMNS.map(({ name }) => `"${name}"`),
    ...(options.keepObjectName ? [OBJECT_NAME_COLUMN] : []),
  ].join(', ');
  return [
    `SELECT ${viewColumns}`,
    'FROM (',
    `  SELECT *, row_number() OVER (PARTITION BY "symbol", "timestamp", "${LAKE_PARTITION}" ORDER BY ${OBJECT_NAME_COLUMN} DESC) AS observation_rank`,
    '  FROM (',
    union,
    '  ) AS objects',
    ') AS observations',
    'WHERE observation_rank = 1',
  ].join('\n');
}

/** The last `dt` Athena projects at `now` (RAW_BY_DATE's NOW+1DAYS): DuckDB's view ends there too. */
export function lakeLastDate(now: Date): string {
  return partitionDate(new Date(now.getTime() + 86_400_000).toISOString());
}
