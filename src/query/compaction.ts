/**
 * What `stockpipe compact` does to a lake, the same on both targets (docs/lake.md): the closed
 * periods of each raw folder — days of `raw/dt=`, months of `raw-months/month=` — are rewritten
 * into its compacted twin (Parquet, the same partitioning), each observation once, keeping the
 * name of the raw object its row came from; then the raw objects listed before the rewrite are
 * deleted, then the period's older compacted objects. The view ranks every copy of an observation
 * by that object name, so a copy in raw, in an older or newer compacted object, written twice by a
 * retried run or half by a killed one, all rank alike and count once: every step is safe to
 * repeat, in any state a crash leaves. Pure: the plan from a listing, and the SQL each engine runs.
 */
import {
  COMPACTED_COLUMNS,
  COMPACTED_FOLDERS,
  type CompactedFolder,
  LAKE_COLUMNS,
  LAKE_PARTITION,
  type LakeSource,
  latestObservationsSql,
  OBJECT_NAME_COLUMN,
} from '../core/lake.ts';

/** An object of the lake, by key. */
export interface LakeObject {
  key: string;
  size: number;
}

/** Where a key sits: a raw folder's or a compacted folder's partition, of one kind of period. */
export interface KeyPlace {
  folder: CompactedFolder;
  period: string;
  role: 'raw' | 'compacted';
}

/** The first local compaction's layout (history/month=YYYY-MM/part-….parquet): read as compacted months. */
export const LEGACY_HISTORY_PREFIX = 'history';

const PERIOD_KEY = /^([a-z-]+)\/([a-z]+)=([0-9-]+)\/[^/]+$/;

/** The place of a lake key, or undefined for anything else (kept records, claims, stray keys). */
export function placeOfKey(key: string): KeyPlace | undefined {
  const match = PERIOD_KEY.exec(key);
  if (!match) return undefined;
  const [, prefix, partition, period] = match as unknown as [string, string, string, string];
  for (const folder of COMPACTED_FOLDERS) {
    if (partition !== folder.partition || !folder.raw.pattern.test(period)) continue;
    if (prefix === folder.raw.prefix) return { folder, period, role: 'raw' };
    if (prefix === folder.prefix) return { folder, period, role: 'compacted' };
  }
  if (prefix === LEGACY_HISTORY_PREFIX && partition === 'month' && /^\d{4}-\d{2}$/.test(period)) {
    return { folder: COMPACTED_FOLDERS[1] as CompactedFolder, period, role: 'compacted' };
  }
  return undefined;
}

/** One closed period to rewrite: its raw objects and the compacted objects it already has. */
export interface PeriodWork {
  folder: CompactedFolder;
  period: string;
  raw: LakeObject[];
  compacted: LakeObject[];
}

/** A batch of periods of one folder, rewritten by one statement. */
export interface CompactionBatch {
  folder: CompactedFolder;
  periods: PeriodWork[];
}

/**
 * Athena's INSERT INTO writes at most 100 partitions per query (Trino's
 * hive.max-partitions-per-writers is 100 too): periods go 100 at a time.
 */
export const PERIODS_PER_STATEMENT = 100;

/**
 * The work a listing calls for: every period before `before` (per folder: a day, a month) that
 * holds raw objects, or compacted objects of the first layout. A period with compacted objects
 * alone is done. Sorted oldest first, in batches of {@link PERIODS_PER_STATEMENT}.
 */
export function planCompaction(
  objects: Iterable<LakeObject>,
  before: (folder: CompactedFolder) => string,
): CompactionBatch[] {
  const periods = new Map<string, PeriodWork>();
  for (const object of objects) {
    const place = placeOfKey(object.key);
    if (!place || place.period >= before(place.folder)) continue;
    const id = `${place.folder.prefix} ${place.period}`;
    let work = periods.get(id);
    if (!work) {
      work = { folder: place.folder, period: place.period, raw: [], compacted: [] };
      periods.set(id, work);
    }
    work[place.role].push(object);
  }
  const batches: CompactionBatch[] = [];
  for (const folder of COMPACTED_FOLDERS) {
    const todo = [...periods.values()]
      .filter(
        (work) =>
          work.folder === folder &&
          (work.raw.length > 0 || work.compacted.some((o) => o.key.startsWith(`${LEGACY_HISTORY_PREFIX}/`))),
      )
      .sort((a, b) => (a.period < b.period ? -1 : 1));
    for (let i = 0; i < todo.length; i += PERIODS_PER_STATEMENT) {
      batches.push({ folder, periods: todo.slice(i, i + PERIODS_PER_STATEMENT) });
    }
  }
  return batches;
}

/** The value of the compacted partition column, from a row's `dt`. */
function partitionSql(folder: CompactedFolder): string {
  return folder.partition === LAKE_PARTITION ? `"${LAKE_PARTITION}"` : `substr("${LAKE_PARTITION}", 1, 7)`;
}

/** `"dt" IN ('2026-11-01', …)`: the batch's periods, as a filter on a table partitioned like it. */
export function periodFilter(batch: CompactionBatch): string {
  return `"${batch.folder.partition}" IN (${batch.periods.map((work) => sqlString(work.period)).join(', ')})`;
}

/**
 * The rows of a batch: each observation once, the latest write's (the view's own rule), with the
 * name of the raw object it came from, and its compacted partition last (as INSERT and COPY want).
 */
export function compactionSelectSql(batch: CompactionBatch, sources: readonly LakeSource[]): string {
  const columns = COMPACTED_COLUMNS.map(({ name }) => `"${name}"`).join(', ');
  return [
    `SELECT ${columns}, ${partitionSql(batch.folder)} AS "${batch.folder.partition}"`,
    `FROM (\n${latestObservationsSql(sources, { keepObjectName: true })}\n) AS latest`,
  ].join('\n');
}

/** The Glue tables a batch reads and writes on Athena, by name. */
export interface AthenaTables {
  raw: string;
  compacted: string;
}

/**
 * The one statement Athena runs for a batch: `INSERT INTO` the compacted table (Parquet,
 * partitioned like its raw twin; Athena registers the partitions it writes) from the batch's
 * partitions of the raw table and of the compacted table itself — a period compacted before keeps
 * its rows, ranked with the raw ones.
 */
export function athenaCompactionSql(batch: CompactionBatch, tables: AthenaTables): string {
  const where = periodFilter(batch);
  const sources: LakeSource[] = [
    { from: `"${tables.raw}"`, dt: batch.folder.raw.dtSql, objectName: `regexp_extract("$path", '[^/]+$')`, where },
    { from: `"${tables.compacted}"`, dt: batch.folder.dtSql, objectName: OBJECT_NAME_COLUMN, where },
  ];
  const columns = [...COMPACTED_COLUMNS.map(({ name }) => name), batch.folder.partition]
    .map((name) => `"${name}"`)
    .join(', ');
  return `INSERT INTO "${tables.compacted}" (${columns})\n${compactionSelectSql(batch, sources)}`;
}

/** The lake's own columns, for a source that has more (DuckDB's filename). */
export const LAKE_COLUMN_LIST = LAKE_COLUMNS.map(({ name }) => `"${name}"`).join(', ');

export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
