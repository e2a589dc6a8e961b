/** What the raw lake holds, read from S3 cheaply: the oldest partition of a folder. */
import type { S3Client } from '@aws-sdk/client-s3';
import type { RawFolder } from '../core/lake.ts';

/**
 * The oldest partition value stored in a raw folder: one ListObjectsV2 of its partition level,
 * one key long (S3 lists in key order, and partition values sort by time). Undefined for an
 * empty folder or a bucket that does not exist yet.
 */
export async function oldestStoredPartition(
  s3: S3Client,
  bucket: string,
  folder: RawFolder,
): Promise<string | undefined> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const level = `${folder.prefix}/${folder.partition}=`;
  try {
    const { CommonPrefixes = [] } = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: level, Delimiter: '/', MaxKeys: 1 }),
    );
    const value = CommonPrefixes[0]?.Prefix?.slice(level.length, -1);
    return value !== undefined && folder.pattern.test(value) ? value : undefined;
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchBucket') return undefined;
    throw error;
  }
}
