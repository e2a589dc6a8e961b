/**
 * What status reads to suggest `compact`: the raw objects in closed periods, counted from the
 * oldest with a few listings (s3rver, as S3 lists: in key order), up to the threshold.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { closedRawObjects } from '../../src/pipeline/compactable.ts';
import { type Emulators, startEmulators } from '../helpers/emulators.ts';

const BUCKET = 'compactable-raw';
const NOW = new Date('2026-11-29T12:00:00.000Z');

describe('closed raw objects (status suggests compact)', () => {
  let emulators: Emulators;
  let s3: S3Client;
  before(async () => {
    emulators = await startEmulators({ s3: true });
    s3 = await emulators.clients().get('s3');
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const put = (Key: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'x' }));
    // Closed: 26 and 27 November (before yesterday), October; open: 28 and 29 November, November.
    for (let i = 0; i < 30; i++) {
      await Promise.all([
        put(`raw/dt=2026-11-26/shardId-0-${i}.json.gz`),
        put(`raw/dt=2026-11-27/shardId-0-${i}.json.gz`),
        put(`raw/dt=2026-11-28/shardId-0-${i}.json.gz`),
        put(`raw/dt=2026-11-29/shardId-0-${i}.json.gz`),
        put(`raw-months/month=2026-10/shardId-0-${i}.json.gz`),
        put(`raw-months/month=2026-11/shardId-0-${i}.json.gz`),
      ]);
    }
    await put('compacted/dt=2026-11-25/part-1.parquet');
    await put('failed/ingest/x.json');
  });
  after(async () => {
    await emulators?.stop();
    if (emulators) rmSync(emulators.s3Directory, { recursive: true, force: true });
  });

  it('counts the raw objects of closed days and months only', async () => {
    assert.equal(await closedRawObjects(s3, BUCKET, NOW, 1000), 90);
  });

  it('stops at the limit: "at least" is all status needs', async () => {
    assert.equal(await closedRawObjects(s3, BUCKET, NOW, 50), 50);
  });

  it('a day earlier, only October is closed', async () => {
    assert.equal(await closedRawObjects(s3, BUCKET, new Date('2026-11-27T00:00:00.000Z'), 1000), 30);
  });
});
