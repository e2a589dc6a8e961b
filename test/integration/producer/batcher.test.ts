/**
 * The batcher against an in-process kinesalite on a multi-shard stream: everything arrives
 * exactly once, also when 30 % of entries are refused with ProvisionedThroughputExceededException.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KinesisClient, PutRecordsCommandInput, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { AwsClients } from '../../../src/aws/clients.ts';
import { validateEvent } from '../../../src/core/event.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../src/local/constants.ts';
import { KinesisBatcher, MAX_RECORDS_PER_CALL } from '../../../src/producer/batcher.ts';
import { seededRandom } from '../../../src/producer/random.ts';
import { createSyntheticSource, SYNTHETIC_DEFAULTS } from '../../../src/producer/synthetic.ts';
import { type Emulators, startEmulators } from '../../helpers/emulators.ts';
import { countById, createStream, readAll } from './kinesis-helpers.ts';

const SYMBOLS = Array.from({ length: 50 }, (_, i) => `SYM${i}`);

async function syntheticEvents(total: number) {
  const source = createSyntheticSource({ ...SYNTHETIC_DEFAULTS, symbols: SYMBOLS });
  const events = [];
  while (events.length < total) events.push(...(await source.poll(new AbortController().signal)).events);
  return events.slice(0, total);
}

describe('Kinesis batcher into kinesalite', () => {
  let emulators: Emulators;
  const clients: AwsClients[] = [];

  before(async () => {
    emulators = await startEmulators({ kinesis: true });
  });
  after(async () => {
    for (const client of clients) await client.destroy();
    await emulators.stop();
  });

  const kinesis = async (onClient?: (client: KinesisClient) => void) => {
    const factory = new AwsClients({
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoints: { kinesis: emulators.endpoints.kinesis },
      env: {},
      onClient: (_service, client) => onClient?.(client as KinesisClient),
    });
    clients.push(factory);
    return factory.get('kinesis');
  };

  it('delivers 10,000 events over 50 symbols exactly once, in calls of at most 500 records', async () => {
    const calls: number[] = [];
    const client = await kinesis((c) =>
      c.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as Partial<PutRecordsCommandInput>;
          if (input.Records) calls.push(input.Records.length);
          return next(args);
        },
        { step: 'initialize' },
      ),
    );
    await createStream(client, 'exactly-once', 4);
    const events = await syntheticEvents(10_000);
    const batcher = new KinesisBatcher({ client, streamName: 'exactly-once' });
    for (const event of events) await batcher.add(event);
    await batcher.flush();

    assert.deepEqual(batcher.stats(), { sent: 10_000, failed: 0, retried: 0 });
    assert.ok(calls.every((size) => size <= MAX_RECORDS_PER_CALL));
    assert.ok(calls.length >= 20);
    const records = await readAll(client, 'exactly-once');
    const counts = countById(records);
    assert.equal(records.length, 10_000);
    assert.equal(counts.size, 10_000);
    for (const event of events) assert.equal(counts.get(event.event_id), 1, event.event_id);
    // Partition key = symbol, every record contract-valid, and the shards all took a share.
    for (const record of records) {
      assert.equal(record.partitionKey, record.event.symbol);
      assert.ok(validateEvent(record.event).ok);
    }
    assert.equal(new Set(records.map((record) => record.shardId)).size, 4);
  });

  it('resends only refused entries: 30 % ProvisionedThroughputExceededException → every event exactly once', async () => {
    const random = seededRandom(7);
    let refused = 0;
    const client = await kinesis((c) =>
      // Refuse 30 % of the entries of every call before they reach the emulator, the way Kinesis
      // reports a partial failure: the refused entries are not written, the rest are.
      c.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as Partial<PutRecordsCommandInput>;
          if (!input.Records) return next(args);
          const refuse = input.Records.map(() => random.next() < 0.3);
          const kept = input.Records.filter((_, i) => !refuse[i]);
          const sent = kept.length
            ? ((await next({ ...args, input: { ...input, Records: kept } })) as { output: PutRecordsCommandOutput })
            : { output: { Records: [], FailedRecordCount: 0, $metadata: {} } as PutRecordsCommandOutput };
          const accepted = [...(sent.output.Records ?? [])];
          const merged = refuse.map((no) =>
            no
              ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' }
              : accepted.shift(),
          );
          refused += refuse.filter(Boolean).length;
          return {
            ...sent,
            output: {
              ...sent.output,
              Records: merged,
              FailedRecordCount: merged.filter((r) => r?.ErrorCode).length,
            },
          } as never;
        },
        { step: 'initialize' },
      ),
    );
    await createStream(client, 'throttled', 3);
    const events = await syntheticEvents(10_000);
    const batcher = new KinesisBatcher({
      client,
      streamName: 'throttled',
      baseBackoffMs: 1,
      maxBackoffMs: 20,
      maxRetries: 30,
    });
    for (const event of events) await batcher.add(event);
    await batcher.flush();

    const stats = batcher.stats();
    assert.equal(stats.sent, 10_000);
    assert.equal(stats.failed, 0);
    assert.equal(stats.retried, refused);
    assert.ok(refused > 2500, `refused ${refused}`);
    const counts = countById(await readAll(client, 'throttled'));
    assert.equal(counts.size, 10_000);
    for (const event of events) assert.equal(counts.get(event.event_id), 1, event.event_id);
  });
});
