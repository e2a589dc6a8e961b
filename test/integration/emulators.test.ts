import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type Emulators, startEmulators } from '../helpers/emulators.ts';

// Guards the harness every integration test stands on: each emulator answers the real SDK.
describe('in-process emulators', () => {
  let emulators: Emulators;
  before(async () => {
    emulators = await startEmulators();
  });
  after(async () => {
    await emulators.stop();
  });

  it('kinesalite, dynalite and s3rver answer the AWS SDK through the client factory', async () => {
    const clients = emulators.clients();
    const kinesis = await clients.get('kinesis');
    await kinesis.send(new CreateStreamCommand({ StreamName: 'probe', ShardCount: 1 }));
    assert.deepEqual((await kinesis.send(new ListStreamsCommand({}))).StreamNames, ['probe']);

    const dynamodb = await clients.get('dynamodb');
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'probe',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
      }),
    );
    assert.deepEqual((await dynamodb.send(new ListTablesCommand({}))).TableNames, ['probe']);

    const s3 = await clients.get('s3');
    await s3.send(new CreateBucketCommand({ Bucket: 'probe-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'probe-bucket', Key: 'raw/dt=2026-11-22/a.json', Body: '{"a":1}' }));
    const object = await s3.send(new GetObjectCommand({ Bucket: 'probe-bucket', Key: 'raw/dt=2026-11-22/a.json' }));
    assert.equal(await object.Body?.transformToString(), '{"a":1}');
    await clients.destroy();
  });

  it('s3rver refuses a conditional put on a taken key as S3 does: exactly one of many racers wins', async () => {
    const clients = emulators.clients();
    const s3 = await clients.get('s3');
    await s3.send(new CreateBucketCommand({ Bucket: 'claims' }));
    const attempts = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        s3.send(new PutObjectCommand({ Bucket: 'claims', Key: 'redriving/q/a.json', Body: `${i}`, IfNoneMatch: '*' })),
      ),
    );
    const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
    const lost = attempts.filter((attempt) => attempt.status === 'rejected');
    assert.equal(won.length, 1);
    for (const attempt of lost) assert.equal((attempt as PromiseRejectedResult).reason.name, 'PreconditionFailed');
    // Without the condition, a put overwrites as before.
    await s3.send(new PutObjectCommand({ Bucket: 'claims', Key: 'redriving/q/a.json', Body: 'sent' }));
    const object = await s3.send(new GetObjectCommand({ Bucket: 'claims', Key: 'redriving/q/a.json' }));
    assert.equal(await object.Body?.transformToString(), 'sent');
    await clients.destroy();
  });
});
