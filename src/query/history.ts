/**
 * The compacted half of the local lake (docs/lake.md): closed months of raw gzip NDJSON objects
 * rewritten by `stockpipe compact` into one Parquet object per month,
 * `history/month=YYYY-MM/part-<generation>.parquet`. `stock_data_table` stays the one table
 * queries name: the raw rows, plus the rows of each month's newest part that no raw row holds
 * (by symbol and timestamp, the raw view's own notion of one observation). An observation is
 * therefore read from exactly one place at any instant — before its month's part is written,
 * after, and while the raw objects are being deleted — so every observation is counted once.
 */
import { globSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { GLUE_TABLE } from '../core/names.ts';
import { OBJECT_SUFFIX } from './s3rver-files.ts';

export const HISTORY_PREFIX = 'history';
/** The raw lake's view, renamed when the compacted half joins it. */
const RAW_VIEW = 'stock_data_raw';
/** The newest part of every compacted month. */
const HISTORY_VIEW = 'stock_data_history';

export interface HistoryPart {
  month: string;
  /** The object's key in the bucket. */
  key: string;
  /** Its file in s3rver's folder. */
  file: string;
}

/** The newest part of every compacted month (generations sort as text: zero-padded). */
export function latestHistoryParts(bucketDir: string): HistoryPart[] {
  const byMonth = new Map<string, HistoryPart>();
  for (const part of allHistoryParts(bucketDir)) {
    const current = byMonth.get(part.month);
    if (!current || part.key > current.key) byMonth.set(part.month, part);
  }
  return [...byMonth.values()].sort((a, b) => (a.month < b.month ? -1 : 1));
}

export function allHistoryParts(bucketDir: string): HistoryPart[] {
  return globSync(join(bucketDir, HISTORY_PREFIX, 'month=*', `part-*.parquet${OBJECT_SUFFIX}`)).map((file) => {
    const month = basename(dirname(file)).slice('month='.length);
    const key = `${HISTORY_PREFIX}/month=${month}/${basename(file).slice(0, -OBJECT_SUFFIX.length)}`;
    return { month, key, file };
  });
}

/** The key of a month's part written by compaction generation `generation` (a time in ms). */
export function historyPartKey(month: string, generation: number): string {
  return `${HISTORY_PREFIX}/month=${month}/part-${String(generation).padStart(15, '0')}.parquet`;
}

/**
 * Statements run after the raw lake's view exists: with compacted parts, `stock_data_table`
 * becomes every raw row plus the parts' rows of observations (symbol, timestamp) that no raw row
 * holds. Raw rows win, as the raw view lets the latest write win: they are either the very rows
 * a compaction is about to delete, or written later (a late batch, a second replay) — visible at
 * once, and folded in by the next compaction.
 */
export function historyViewStatements(parts: readonly HistoryPart[]): string[] {
  if (parts.length === 0) return [];
  const files = parts.map((part) => sqlString(part.file)).join(', ');
  return [
    `ALTER VIEW ${GLUE_TABLE} RENAME TO ${RAW_VIEW}`,
    `CREATE VIEW ${HISTORY_VIEW} AS SELECT * FROM read_parquet([${files}], hive_partitioning = false)`,
    [
      `CREATE VIEW ${GLUE_TABLE} AS`,
      `SELECT * FROM ${HISTORY_VIEW} AS h WHERE NOT EXISTS (`,
      `  SELECT 1 FROM ${RAW_VIEW} AS r WHERE r.symbol = h.symbol AND r."timestamp" = h."timestamp")`,
      'UNION ALL',
      `SELECT * FROM ${RAW_VIEW}`,
    ].join('\n'),
  ];
}

/**
 * One pass over the lake, run where `stock_data_table` is the raw lake's view alone: every row of
 * a month before `beforeMonth` (YYYY-MM) — the raw rows and those of the month's newest part —
 * once per observation (symbol, timestamp; a raw row wins over the part's, as the newer write),
 * into one Parquet file per month under `outDir` (`month=YYYY-MM/*.parquet`), sorted by symbol
 * and time so a symbol's rows sit together.
 */
export function compactSql(outDir: string, beforeMonth: string, parts: readonly HistoryPart[]): string {
  const sources = [`SELECT *, 0 AS newest_first FROM ${GLUE_TABLE}`];
  if (parts.length > 0) {
    const files = parts.map((part) => sqlString(part.file)).join(', ');
    sources.push(`SELECT *, 1 AS newest_first FROM read_parquet([${files}], hive_partitioning = false)`);
  }
  return [
    'COPY (',
    '  SELECT * EXCLUDE (rn, newest_first) FROM (',
    '    SELECT *, substr(dt, 1, 7) AS month,',
    '      row_number() OVER (PARTITION BY symbol, "timestamp" ORDER BY newest_first) AS rn',
    `    FROM (${sources.join(' UNION ALL ')})`,
    `    WHERE dt < ${sqlString(`${beforeMonth}-01`)}`,
    '  ) WHERE rn = 1',
    '  ORDER BY month, symbol, "timestamp"',
    `) TO ${sqlString(outDir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (month), OVERWRITE_OR_IGNORE)`,
  ].join('\n');
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
