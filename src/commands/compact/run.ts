/**
 * `stockpipe compact` (offline): the closed months of the local lake's raw gzip NDJSON objects —
 * one per ingest batch and date or month, both folders (src/core/lake.ts) — rewritten by DuckDB
 * into one Parquet object per month, read back by `query` as part of `stock_data_table`
 * (src/query/history.ts, docs/lake.md). Order of work, so every observation is counted once at
 * every instant: write each month's new part (queries switch to it), then delete the raw objects
 * it holds, then the month's older parts.
 */
import { existsSync, globSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { RAW_FOLDERS } from '../../core/lake.ts';
import { StockpipeError } from '../../errors.ts';
import { acquireLock, lockHolder } from '../../local/lock.ts';
import { lakeViewSql } from '../../query/duckdb.ts';
import { allHistoryParts, compactSql, historyPartKey, latestHistoryParts } from '../../query/history.ts';
import { OBJECT_SUFFIX, rawFoldersWithObjects, rawObjectPattern } from '../../query/s3rver-files.ts';
import type { IO } from '../../ui/io.ts';
import type { CompactOptions } from './options.ts';

export type { CompactFlags, CompactOptions } from './options.ts';
export { parseCompactOptions } from './options.ts';

/** The two S3 calls compaction makes, so tests can pass a fake. */
export interface LakeWriter {
  put(key: string, body: Uint8Array): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

export interface CompactDeps {
  io: IO;
  /** s3rver's folder of the raw bucket. */
  bucketDir: string;
  /** Held while one compaction of this lake runs (src/local/lock.ts). */
  lockFile: string;
  writer: () => Promise<LakeWriter>;
  now?: () => Date;
}

export interface CompactSummary {
  before: string;
  months: number;
  raw_objects: number;
  raw_bytes: number;
  parts_replaced: number;
  parquet_objects: number;
  parquet_bytes: number;
  rows: number;
}

export async function runCompact(options: CompactOptions, deps: CompactDeps): Promise<number> {
  const { io } = deps;
  if (!existsSync(deps.bucketDir)) {
    throw new StockpipeError(
      'the lake bucket does not exist in the local target: run `stockpipe setup --target local` first',
    );
  }
  const summary = await compactLake(options, deps);
  if (io.json) io.outJson(summary);
  else if (summary.months === 0) io.out(`Nothing to compact: no raw objects before ${options.beforeMonth}.`);
  else {
    io.out(
      `Compacted ${summary.months} ${summary.months === 1 ? 'month' : 'months'} before ${summary.before}: ` +
        `${summary.raw_objects} raw objects (${summary.raw_bytes} bytes) → ${summary.parquet_objects} Parquet ` +
        `objects (${summary.parquet_bytes} bytes), ${summary.rows} rows.`,
    );
  }
  return 0;
}

/**
 * One compaction of a lake at a time: a second one waits for the first (and then finds what is left
 * to do), instead of reading raw objects the first is deleting.
 */
export async function compactLake(options: CompactOptions, deps: CompactDeps): Promise<CompactSummary> {
  const held = lockHolder(deps.lockFile);
  if (held !== undefined) deps.io.err(`waiting for the compaction already running (process ${held})…`);
  const lock = await acquireLock(deps.lockFile, { timeoutMs: COMPACT_WAIT_MS, what: 'the running compaction' });
  try {
    return await compactUnlocked(options, deps);
  } finally {
    lock.release();
  }
}

/** How long a second compaction waits for the first: a year of daily bars compacts in seconds. */
const COMPACT_WAIT_MS = 30 * 60_000;

async function compactUnlocked(options: CompactOptions, deps: CompactDeps): Promise<CompactSummary> {
  const { beforeMonth } = options;
  // Each raw object with the month it belongs to: from its dt= folder, or its month= folder.
  const raw = RAW_FOLDERS.flatMap((folder) =>
    globSync(rawObjectPattern(deps.bucketDir, folder)).map((file) => ({
      file,
      month: basename(dirname(file))
        .slice(folder.partition.length + 1)
        .slice(0, 7),
    })),
  ).filter((object) => object.month < beforeMonth);
  const summary: CompactSummary = {
    before: beforeMonth,
    months: 0,
    raw_objects: 0,
    raw_bytes: 0,
    parts_replaced: 0,
    parquet_objects: 0,
    parquet_bytes: 0,
    rows: 0,
  };
  // Only months with raw objects need a new part; the others' parts are already whole.
  const months = new Set(raw.map((object) => object.month));
  if (months.size === 0) return summary;
  const parts = latestHistoryParts(deps.bucketDir).filter((part) => months.has(part.month));
  const out = mkdtempSync(join(tmpdir(), 'stockpipe-compact-'));
  let phaseStarted = performance.now();
  const phase = (what: string) => {
    const now = performance.now();
    deps.io.debug(`compact: ${what} in ${Math.round(now - phaseStarted)} ms`);
    phaseStarted = now;
  };
  try {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(
        lakeViewSql(deps.bucketDir, rawFoldersWithObjects(deps.bucketDir), deps.now?.() ?? new Date()),
      );
      await connection.run(compactSql(out, beforeMonth, parts));
      const counted = await connection.runAndReadAll(
        `SELECT count(*) FROM read_parquet(${sqlString(join(out, 'month=*', '*.parquet'))})`,
      );
      summary.rows = Number(counted.getRowsJS()[0]?.[0] ?? 0);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    phase(`read ${raw.length} raw objects and wrote ${months.size} Parquet files`);
    const writer = await deps.writer();
    const generation = (deps.now?.() ?? new Date()).getTime();
    const written = new Set<string>();
    for (const month of [...months].sort()) {
      const files = globSync(join(out, `month=${month}`, '*.parquet'));
      if (files.length !== 1) throw new StockpipeError(`compaction wrote ${files.length} files for ${month}, not one`);
      const body = readFileSync(files[0] as string);
      const key = historyPartKey(month, generation);
      await writer.put(key, body);
      written.add(key);
      summary.parquet_objects++;
      summary.parquet_bytes += body.length;
    }
    phase(`put ${summary.parquet_objects} parts`);
    summary.months = months.size;
    for (const object of raw) summary.raw_bytes += statSync(object.file).size;
    summary.raw_objects = raw.length;
    await writer.delete(raw.map((object) => keyOf(deps.bucketDir, object.file)));
    phase(`deleted ${raw.length} raw objects`);
    const older = allHistoryParts(deps.bucketDir).filter((part) => months.has(part.month) && !written.has(part.key));
    summary.parts_replaced = older.length;
    await writer.delete(older.map((part) => part.key));
    return summary;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** s3rver's file → the object's key. */
function keyOf(bucketDir: string, file: string): string {
  return file
    .slice(bucketDir.length + 1, -OBJECT_SUFFIX.length)
    .split('\\')
    .join('/');
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
