/**
 * Whether a lake wants `stockpipe compact` (docs/lake.md): how many raw objects sit in closed
 * periods (days before yesterday, months before yesterday's), counted from the oldest up to a
 * threshold with a few S3 listings — keys list in order, and partition values sort by time, so
 * the first pages hold the closed periods. What `status` reads to suggest the command.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { closedBefore, RAW_FOLDERS } from '../core/lake.ts';

/** From this many raw objects in closed periods on, status suggests compact (an hour of live data on AWS). */
export const COMPACT_SUGGESTED_AT = 1000;

/** Raw objects in closed periods, counted up to `limit` (reaching it means "at least"). */
export async function closedRawObjects(
  s3: S3Client,
  bucket: string,
  now: Date,
  limit = COMPACT_SUGGESTED_AT,
): Promise<number> {
  let count = 0;
  for (const folder of RAW_FOLDERS) {
    const before = closedBefore(folder, now);
    const prefix = `${folder.prefix}/${folder.partition}=`;
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).map((object) => object.Key ?? '');
      const closed = keys.filter((key) => (key.slice(prefix.length).split('/')[0] ?? '') < before);
      count += closed.length;
      // The first key of an open period ends the closed ones.
      if (closed.length < keys.length || count >= limit) break;
      token = page.NextContinuationToken;
    } while (token);
    if (count >= limit) return limit;
  }
  return count;
}
