/**
 * The local lake as s3rver keeps it on disk: an object's bytes are the file
 * `<bucket folder>/<key>._S3rver_object`. What the DuckDB runner and `compact` read.
 */
import { globSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { COMPACTED_FOLDERS, type CompactedFolder, RAW_FOLDERS, type RawFolder } from '../core/lake.ts';
import { type LakeObject, LEGACY_HISTORY_PREFIX } from './compaction.ts';

export const OBJECT_SUFFIX = '._S3rver_object';

/** A glob of every object file of a raw folder (`raw/dt=*` or `raw-months/month=*`). */
export function rawObjectPattern(bucketDir: string, folder: RawFolder): string {
  return join(bucketDir, folder.prefix, `${folder.partition}=*`, `*${OBJECT_SUFFIX}`);
}

/** The same for a compacted folder (`compacted/dt=*`, `compacted-months/month=*`). */
export function compactedObjectPattern(bucketDir: string, folder: CompactedFolder): string {
  return join(bucketDir, folder.prefix, `${folder.partition}=*`, `*${OBJECT_SUFFIX}`);
}

/** The first local compaction's parts (history/month=*), read until the next compaction replaces them. */
export function legacyHistoryPattern(bucketDir: string): string {
  return join(bucketDir, LEGACY_HISTORY_PREFIX, 'month=*', `*.parquet${OBJECT_SUFFIX}`);
}

/** The raw folders of the bucket at `bucketDir` that hold at least one object. */
export function rawFoldersWithObjects(bucketDir: string): RawFolder[] {
  return RAW_FOLDERS.filter((folder) => globSync(rawObjectPattern(bucketDir, folder)).length > 0);
}

/** Every object of the lake's folders (raw, compacted, legacy history), as S3 would list them. */
export function lakeObjects(bucketDir: string): LakeObject[] {
  const patterns = [
    ...RAW_FOLDERS.map((folder) => rawObjectPattern(bucketDir, folder)),
    ...COMPACTED_FOLDERS.map((folder) => compactedObjectPattern(bucketDir, folder)),
    legacyHistoryPattern(bucketDir),
  ];
  return patterns.flatMap((pattern) =>
    globSync(pattern).flatMap((file) => {
      try {
        return [{ key: keyOfFile(bucketDir, file), size: statSync(file).size }];
      } catch {
        return []; // deleted since the glob
      }
    }),
  );
}

/** s3rver's file → the object's key. */
export function keyOfFile(bucketDir: string, file: string): string {
  return file
    .slice(bucketDir.length + 1, -OBJECT_SUFFIX.length)
    .split('\\')
    .join('/');
}

/** An object's key → s3rver's file. */
export function fileOfKey(bucketDir: string, key: string): string {
  return join(bucketDir, `${key}${OBJECT_SUFFIX}`);
}
