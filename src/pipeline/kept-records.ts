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
  claimKey,
  prefixOf,
  REDRIVEN_PREFIX,
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

/**
 * Records kept in the last day, for `status`: quarantined records, and records in failed batches;
 * and how many of the quarantined ones were quarantined again after a redrive (the same payload
 * was redriven in that day): redriving those again would only quarantine them again.
 */
export async function countKeptSince(
  s3: S3Client,
  bucket: string,
  since: number,
): Promise<{ failed: number; quarantined: number; requarantined: number }> {
  const [failed, quarantined, redriven] = await Promise.all([
    listKept(s3, bucket, 'failed', since),
    listKept(s3, bucket, 'quarantine', since),
    listRedrivenQuarantine(s3, bucket, since),
  ]);
  let failedRecords = 0;
  for (const object of failed) {
    const back = await readKept(s3, bucket, 'failed', object.key).catch(() => undefined);
    // A batch that cannot be read back still counts, as one record at least.
    failedRecords += back?.ok ? back.records.length : 1;
  }
  // Payloads are read only after a redrive: a day without one costs no GETs.
  let requarantined = 0;
  if (redriven.length > 0) {
    const payloads = new Set<string>();
    for (const key of redriven) {
      const payload = await quarantinedPayload(s3, bucket, key);
      if (payload !== undefined) payloads.add(payload);
    }
    for (const object of quarantined) {
      const payload = await quarantinedPayload(s3, bucket, object.key);
      if (payload !== undefined && payloads.has(payload)) requarantined++;
    }
  }
  return { failed: failedRecords, quarantined: quarantined.length, requarantined };
}

/** Keys of quarantine objects a redrive moved aside at or after `since`. */
async function listRedrivenQuarantine(s3: S3Client, bucket: string, since: number): Promise<string[]> {
  const keys: string[] = [];
  const Prefix = redrivenKey(prefixOf('quarantine'));
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix })) {
    for (const object of page.Contents ?? []) {
      if (object.Key?.startsWith(REDRIVEN_PREFIX) && (object.LastModified?.getTime() ?? 0) >= since)
        keys.push(object.Key);
    }
  }
  return keys;
}

/** The record a quarantine object holds, as text to compare (undefined when unreadable). */
async function quarantinedPayload(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  const back = await readKept(s3, bucket, 'quarantine', key).catch(() => undefined);
  const record = back?.ok ? back.records[0] : undefined;
  return record ? Buffer.from(record.data).toString('base64') : undefined;
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

/**
 * A redrive's claim on a kept object, so that two redrives at once send nothing twice: a claim is
 * created only if none exists (S3 conditional write, `If-None-Match: *`, which exactly one writer
 * wins), and says how far its run got — `claimed`, then `sent` once the records are on the stream.
 */
export interface Claim {
  state: 'claimed' | 'sent';
  /** When the claim was made or last moved on (epoch ms). */
  at: number;
  pid: number;
}

export type ClaimOutcome =
  /** This run holds the claim: it sends the object's records. */
  | { kind: 'ours' }
  /** Another run holds it: its records are not sent again. */
  | { kind: 'held'; claim: Claim }
  /** Another run held it a moment ago and has let go (redriven, or left for a later run). */
  | { kind: 'gone' };

/** Writes the claim on `key`; with `onlyIfAbsent`, as a conditional write exactly one run wins. */
function putClaim(s3: S3Client, bucket: string, key: string, claim: Claim, onlyIfAbsent: boolean) {
  return s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: claimKey(key),
      Body: JSON.stringify(claim),
      ContentType: 'application/json',
      ...(onlyIfAbsent ? { IfNoneMatch: '*' } : {}),
    }),
  );
}

export async function claimKept(s3: S3Client, bucket: string, key: string, now: number): Promise<ClaimOutcome> {
  try {
    await putClaim(s3, bucket, key, { state: 'claimed', at: now, pid: process.pid }, true);
    return { kind: 'ours' };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (
      name !== 'PreconditionFailed' &&
      (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 412
    ) {
      throw error;
    }
  }
  let text: string;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: claimKey(key) }));
    text = (await object.Body?.transformToString('utf8')) ?? '{}';
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return { kind: 'gone' };
    throw error;
  }
  const held = JSON.parse(text) as Partial<Claim>;
  return {
    kind: 'held',
    claim: { state: held.state === 'sent' ? 'sent' : 'claimed', at: Number(held.at ?? 0), pid: Number(held.pid ?? 0) },
  };
}

/** The claim's records are on the stream: a run that stops now is finished by the next one, not repeated. */
export async function markSent(s3: S3Client, bucket: string, key: string, now: number): Promise<void> {
  await putClaim(s3, bucket, key, { state: 'sent', at: now, pid: process.pid }, false);
}

/** Moves the redriven object aside, then drops its claim. */
export async function finishRedrive(s3: S3Client, bucket: string, key: string): Promise<void> {
  try {
    await moveAside(s3, bucket, key);
  } catch (error) {
    // Moved already by the run that stopped before it dropped the claim.
    if ((error as { name?: string }).name !== 'NoSuchKey') throw error;
  }
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: claimKey(key) }));
}

/** Drops a claim whose records were not sent (the put failed): the object is redriven again later. */
export async function releaseClaim(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: claimKey(key) }));
}
