/**
 * compact on the local target: the lake is s3rver's folder, DuckDB rewrites a batch into Parquet
 * files (one per period), and they are put to s3rver, and the old objects deleted, with S3 calls —
 * the objects and keys Athena would leave on AWS, read back by the local view (src/query/local-lake.ts).
 */
import { globSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../aws/clients.ts';
import { bucketNames } from '../../core/names.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../local/constants.ts';
import { acquireLock, lockHolder } from '../../local/lock.ts';
import { localPaths } from '../../local/paths.ts';
import { type CompactionBatch, compactionSelectSql, LEGACY_HISTORY_PREFIX, sqlString } from '../../query/compaction.ts';
import { compactedSource, legacyHistorySource, rawSource } from '../../query/local-lake.ts';
import { fileOfKey, lakeObjects, OBJECT_SUFFIX } from '../../query/s3rver-files.ts';
import type { IO } from '../../ui/io.ts';
import type { CompactionLake } from './run.ts';

export function localRawBucketDir(cwd: string, pipeline: string): string {
  return `${localPaths(cwd).s3Dir}/${bucketNames(pipeline, LOCAL_ACCOUNT, LOCAL_REGION).raw}`;
}

/** The lock one compaction of a pipeline's lake holds, beside the stack's own state. */
export function localCompactLock(cwd: string, pipeline: string): string {
  return `${localPaths(cwd).root}/compact-${pipeline}.lock`;
}

/** The two S3 calls compaction makes offline, so tests can pass a fake. */
export interface LakeWriter {
  put(key: string, body: Uint8Array): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
}

export async function localLakeWriter(aws: AwsClients, pipeline: string): Promise<LakeWriter> {
  const s3 = await aws.get('s3');
  const Bucket = bucketNames(pipeline, LOCAL_ACCOUNT, LOCAL_REGION).raw;
  return {
    async put(key, body) {
      await s3.send(
        new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: 'application/vnd.apache.parquet' }),
      );
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
        if (Objects.length === 0) continue;
        const result = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
        if (result.Errors?.length) {
          throw new Error(`could not delete ${result.Errors.length} compacted objects: ${result.Errors[0]?.Message}`);
        }
      }
    },
  };
}

export interface LocalLakeOptions {
  /** s3rver's folder of the raw bucket. */
  bucketDir: string;
  writer: LakeWriter;
  /** Names the Parquet objects a run writes (a time in ms). */
  now?: () => Date;
}

export function localCompactionLake(options: LocalLakeOptions): CompactionLake {
  const { bucketDir, writer } = options;
  return {
    engine: 'DuckDB',
    list: async (onListed) => {
      const objects = lakeObjects(bucketDir);
      onListed(objects.length);
      return objects;
    },
    rewrite: (batch, signal) => rewriteLocally(batch, options, signal).then(() => undefined),
    delete: (keys) => writer.delete(keys),
  };
}

async function rewriteLocally(batch: CompactionBatch, options: LocalLakeOptions, signal: AbortSignal): Promise<void> {
  const { bucketDir, writer } = options;
  const { folder } = batch;
  const rawGlobs = batch.periods
    .filter((work) => work.raw.length > 0)
    .map((work) => join(bucketDir, folder.raw.prefix, `${folder.partition}=${work.period}`, `*${OBJECT_SUFFIX}`));
  const compacted = batch.periods.flatMap((work) => work.compacted.map((object) => object.key));
  const legacy = compacted.filter((key) => key.startsWith(`${LEGACY_HISTORY_PREFIX}/`));
  const current = compacted.filter((key) => !key.startsWith(`${LEGACY_HISTORY_PREFIX}/`));
  const sources = [
    ...(rawGlobs.length > 0 ? [rawSource(rawGlobs, folder.raw)] : []),
    ...(current.length > 0
      ? [
          compactedSource(
            current.map((key) => fileOfKey(bucketDir, key)),
            folder,
          ),
        ]
      : []),
    ...(legacy.length > 0 ? [legacyHistorySource(legacy.map((key) => fileOfKey(bucketDir, key)))] : []),
  ];
  const out = mkdtempSync(join(tmpdir(), 'stockpipe-compact-'));
  try {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const connection = await instance.connect();
    const interrupt = () => connection.interrupt();
    signal.addEventListener('abort', interrupt, { once: true });
    try {
      await connection.run(
        [
          `COPY (${compactionSelectSql(batch, sources)}`,
          // A symbol's rows together, in time order: Parquet's statistics then skip well.
          `ORDER BY "${folder.partition}", "symbol", "timestamp")`,
          `TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ("${folder.partition}"), OVERWRITE_OR_IGNORE)`,
        ].join('\n'),
      );
    } finally {
      signal.removeEventListener('abort', interrupt);
      connection.closeSync();
      instance.closeSync();
    }
    if (signal.aborted) throw new Error('cancelled');
    const generation = String((options.now?.() ?? new Date()).getTime()).padStart(15, '0');
    for (const work of batch.periods) {
      const files = globSync(join(out, `${folder.partition}=${work.period}`, '*.parquet')).sort();
      for (const [index, file] of files.entries()) {
        const key = `${folder.prefix}/${folder.partition}=${work.period}/part-${generation}-${index}.parquet`;
        await writer.put(key, readFileSync(file));
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * One compaction of a local lake at a time: a second one waits for the first (and then finds what
 * is left to do), instead of reading objects the first is deleting.
 */
export async function withCompactLock<T>(lockFile: string, io: IO, work: () => Promise<T>): Promise<T> {
  const held = lockHolder(lockFile);
  if (held !== undefined) io.err(`waiting for the compaction already running (process ${held})…`);
  const lock = await acquireLock(lockFile, { timeoutMs: COMPACT_WAIT_MS, what: 'the running compaction' });
  try {
    return await work();
  } finally {
    lock.release();
  }
}

/** How long a second compaction waits for the first. */
const COMPACT_WAIT_MS = 30 * 60_000;
