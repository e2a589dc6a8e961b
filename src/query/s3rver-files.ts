/**
 * The local lake as s3rver keeps it on disk: an object's bytes are the file
 * `<bucket folder>/<key>._S3rver_object`. What the DuckDB runner and `compact` read.
 */
import { globSync } from 'node:fs';
import { join } from 'node:path';
import { RAW_FOLDERS, type RawFolder } from '../core/lake.ts';

export const OBJECT_SUFFIX = '._S3rver_object';

/** A glob of every object file of a raw folder (`raw/dt=*` or `raw-months/month=*`). */
export function rawObjectPattern(bucketDir: string, folder: RawFolder): string {
  return join(bucketDir, folder.prefix, `${folder.partition}=*`, `*${OBJECT_SUFFIX}`);
}

/** The raw folders of the bucket at `bucketDir` that hold at least one object. */
export function rawFoldersWithObjects(bucketDir: string): RawFolder[] {
  return RAW_FOLDERS.filter((folder) => globSync(rawObjectPattern(bucketDir, folder)).length > 0);
}
