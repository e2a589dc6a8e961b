/**
 * `stock_data_table` offline: DuckDB SQL over the local lake's files as s3rver stores them (raw
 * gzip NDJSON, compacted Parquet), by the view's one rule (src/core/lake.ts) — the same sources
 * the Athena view reads, with DuckDB's `filename` for Athena's `"$path"`.
 */
import { globSync } from 'node:fs';
import {
  COMPACTED_FOLDERS,
  type CompactedFolder,
  LAKE_COLUMNS,
  LAKE_PARTITION,
  LAKE_VIEW_COLUMNS,
  type LakeSource,
  lakeLastDate,
  latestObservationsSql,
  OBJECT_NAME_COLUMN,
  objectNameOf,
  RAW_FOLDERS,
  type RawFolder,
} from '../core/lake.ts';
import { GLUE_TABLE } from '../core/names.ts';
import { sqlString } from './compaction.ts';
import { compactedObjectPattern, legacyHistoryPattern, rawObjectPattern } from './s3rver-files.ts';

const list = (paths: readonly string[]) => `[${paths.map(sqlString).join(', ')}]`;

/** The `dt` of a row of a folder partitioned by date, from its file's path. */
const dtFromFilename = `regexp_extract(filename, '${LAKE_PARTITION}=(\\d{4}-\\d{2}-\\d{2})', 1)`;

/** Raw gzip NDJSON objects (globs or files) of one raw folder. */
export function rawSource(paths: readonly string[], folder: RawFolder): LakeSource {
  const columns = LAKE_COLUMNS.map(({ name, duckdb }) => `${sqlString(name)}: ${sqlString(duckdb)}`).join(', ');
  return {
    from: [
      `(SELECT * FROM read_json(${list(paths)}, format = 'newline_delimited', compression = 'gzip', filename = true,`,
      // A malformed line may read as a row of NULLs: the view's rule (OBSERVATION_SQL) drops it.
      `      hive_partitioning = false, ignore_errors = true, columns = {${columns}})) AS ${folder.partition}_objects`,
    ].join('\n'),
    dt: folder.partition === LAKE_PARTITION ? dtFromFilename : folder.dtSql,
    objectName: objectNameOf('filename'),
  };
}

/** Compacted Parquet objects of one compacted folder: their rows rank by the raw object they came from. */
export function compactedSource(paths: readonly string[], folder: CompactedFolder): LakeSource {
  return {
    from: `(SELECT * FROM read_parquet(${list(paths)}, filename = true, hive_partitioning = false)) AS compacted_${folder.partition}_objects`,
    dt: folder.partition === LAKE_PARTITION ? dtFromFilename : folder.dtSql,
    objectName: `"${OBJECT_NAME_COLUMN}"`,
  };
}

/**
 * Parts of the first local compaction (history/month=…): they kept no object name, and held only
 * rows whose raw objects were deleted, so any raw copy (a later write) ranks above them.
 */
export function legacyHistorySource(paths: readonly string[]): LakeSource {
  return {
    from: `(SELECT * FROM read_parquet(${list(paths)}, hive_partitioning = false, union_by_name = true)) AS history_objects`,
    dt: 'substr("timestamp", 1, 10)',
    objectName: "''",
  };
}

/** Every source of the lake at `bucketDir` that holds objects (DuckDB's readers fail on an empty glob). */
export function localLakeSources(bucketDir: string): LakeSource[] {
  const some = (pattern: string) => globSync(pattern).length > 0;
  return [
    ...RAW_FOLDERS.filter((folder) => some(rawObjectPattern(bucketDir, folder))).map((folder) =>
      rawSource([rawObjectPattern(bucketDir, folder)], folder),
    ),
    ...COMPACTED_FOLDERS.filter((folder) => some(compactedObjectPattern(bucketDir, folder))).map((folder) =>
      compactedSource([compactedObjectPattern(bucketDir, folder)], folder),
    ),
    ...(some(legacyHistoryPattern(bucketDir)) ? [legacyHistorySource([legacyHistoryPattern(bucketDir)])] : []),
  ];
}

/**
 * The SQL that defines `stock_data_table` over the lake at `bucketDir`: the lake's columns and last
 * `dt` from src/core/lake.ts, as the Glue tables have them (a record dated after Athena's projection
 * ends is outside this view too), one row per observation by the same rule as the Athena view.
 */
export function lakeViewSql(bucketDir: string, now: Date): string {
  const sources = localLakeSources(bucketDir);
  if (sources.length === 0) {
    // An empty lake is an empty table, not an error.
    const nulls = LAKE_VIEW_COLUMNS.map(({ name, duckdb }) => `CAST(NULL AS ${duckdb}) AS "${name}"`).join(', ');
    return `CREATE OR REPLACE VIEW ${GLUE_TABLE} AS SELECT ${nulls} WHERE false`;
  }
  return [
    `CREATE OR REPLACE VIEW ${GLUE_TABLE} AS`,
    `SELECT * FROM (\n${latestObservationsSql(sources)}\n) AS lake`,
    // Where Athena's projection ends (tomorrow). It starts at the oldest stored record on AWS
    // (widened when older ones come: docs/lake.md), so here every stored record is in it.
    `WHERE ${LAKE_PARTITION} <= ${sqlString(lakeLastDate(now))}`,
  ].join('\n');
}
