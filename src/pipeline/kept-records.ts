/**
 * What the raw bucket keeps of the records that did not become quotes: batches the mappings gave
 * up on (`aws/lambda/…`) and quarantined records (`quarantine/…`). Listing, counting, reading
 * back and moving aside once redriven — the same S3 calls on AWS and on s3rver.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  prefixOf,
  type ReadBack,
  type RedriveSource,
  recordOfQuarantine,
  recordsOfFailure,
  redrivenKey,
} from '../core/failed-records.ts';

export interface KeptObject {
  key: string;
  lastModified: Date;
}

/** Objects kept from `source`, modified at or after `since` (epoch ms), oldest first. */
export async function listKept(s3: S3Client, bucket: string, source: RedriveSource, since = 0): Promise<KeptObject[]> {
  const found: KeptObject[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefixOf(source) })) {
    for (const object of page.Contents ?? []) {
      const lastModified = object.LastModified ?? new Date(0);
      if (object.Key && lastModified.getTime() >= since) found.push({ key: object.Key, lastModified });
    }
  }
  return found.sort((a, b) => a.lastModified.getTime() - b.lastModified.getTime() || a.key.localeCompare(b.key));
}

/** The records an object holds, ready to go back on the stream. */
export async function readKept(s3: S3Client, bucket: string, source: RedriveSource, key: string): Promise<ReadBack> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = (await object.Body?.transformToString('utf8')) ?? '';
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  return source === 'failed' ? recordsOfFailure(document) : recordOfQuarantine(document);
}

/** Records kept in the last day, for `status`: quarantined records, and records in failed batches. */
export async function countKeptSince(
  s3: S3Client,
  bucket: string,
  since: number,
): Promise<{ failed: number; quarantined: number }> {
  const [failed, quarantined] = await Promise.all([
    listKept(s3, bucket, 'failed', since),
    listKept(s3, bucket, 'quarantine', since),
  ]);
  let failedRecords = 0;
  for (const object of failed) {
    const back = await readKept(s3, bucket, 'failed', object.key).catch(() => undefined);
    // A batch that cannot be read back still counts, as one record at least.
    failedRecords += back?.ok ? back.records.length : 1;
  }
  return { failed: failedRecords, quarantined: quarantined.length };
}

/** Moves an object under `redriven/` (copy by content, then delete), so it is never redriven twice. */
export async function moveAside(s3: S3Client, bucket: string, key: string): Promise<void> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = await object.Body?.transformToByteArray();
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: redrivenKey(key),
      Body: body ?? new Uint8Array(),
      ContentType: object.ContentType ?? 'application/json',
    }),
  );
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
