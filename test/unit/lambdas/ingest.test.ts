import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { type IngestDeps, ingestBatch } from '../../../lambdas/ingest/ingest.ts';
import type { HandlerLog } from '../../../lambdas/shared/log.ts';
import { MAX_EVENT_BYTES } from '../../../src/core/event.ts';
import type { QuoteItem } from '../../../src/core/tables.ts';
import { kinesisEvent, SHARD_ID, sequenceNumber, stockEvent } from '../../helpers/lambda-events.ts';

const TABLE = 'stockpipe-quotes';
const BUCKET = 'stockpipe-raw';
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const s3 = new S3Client({ region: 'us-east-1' });
const ddbMock = mockClient(documents);
const s3Mock = mockClient(s3);

interface Logged {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}
function recorder(): HandlerLog & { lines: Logged[] } {
  const lines: Logged[] = [];
  const at =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      lines.push({ level, message, fields: Object.assign({}, ...extra) });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

function deps(log = recorder()): IngestDeps & { log: ReturnType<typeof recorder> } {
  return {
    config: { quotesTable: TABLE, rawBucket: BUCKET, anomalyThresholdPct: 5, ttlDays: 30 },
    documents,
    s3,
    log,
    now: () => new Date('2026-11-22T15:00:00.000Z'),
    retry: { retries: 3, baseMs: 1, capMs: 2 },
  };
}

/** What the mocks received: stored items, raw lines and quarantine documents. */
function written() {
  const items = ddbMock
    .commandCalls(BatchWriteCommand)
    .flatMap((call) => call.args[0].input.RequestItems?.[TABLE] ?? [])
    .map((request) => request.PutRequest?.Item as QuoteItem);
  const puts = s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
  const raw = puts.filter((put) => put.Key?.startsWith('raw/') || put.Key?.startsWith('raw-months/'));
  const rawLines = raw.flatMap((put) =>
    gunzipSync(put.Body as Uint8Array)
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line)),
  );
  const quarantine = puts
    .filter((put) => put.Key?.startsWith('quarantine/'))
    .map((put) => ({ key: put.Key as string, doc: JSON.parse(Buffer.from(put.Body as Uint8Array).toString('utf8')) }));
  return { items, raw, rawLines, quarantine };
}

/** Ten payloads that cannot be an observation (no usable symbol, price or time), of eight kinds of rejection. */
const INVALID: { payload: unknown; reason: string }[] = [
  { payload: 'not json at all', reason: 'not_json' },
  { payload: '{"truncated": ', reason: 'not_json' },
  { payload: [1, 2, 3], reason: 'not_object' },
  { payload: { ...stockEvent(), symbol: undefined }, reason: 'missing_field' },
  { payload: { ...stockEvent(), price: 'n/a' }, reason: 'wrong_type' },
  { payload: { ...stockEvent(), price: -3 }, reason: 'non_positive_price' },
  { payload: { ...stockEvent(), symbol: 'not a symbol' }, reason: 'bad_symbol' },
  { payload: { ...stockEvent(), timestamp: '2026-11-22 14:30' }, reason: 'bad_timestamp' },
  { payload: { ...stockEvent(), symbol: 42 }, reason: 'wrong_type' },
  { payload: `{"pad":"${'x'.repeat(MAX_EVENT_BYTES)}"}`, reason: 'oversize' },
];

function mixedBatch() {
  const payloads: unknown[] = [];
  for (let i = 0; i < 100; i++) {
    const invalid = i % 10 === 5 ? INVALID[(i - 5) / 10] : undefined;
    payloads.push(
      invalid
        ? invalid.payload
        : stockEvent({
            event_id: `e${i}`,
            symbol: `S${i % 7}`,
            timestamp: new Date(Date.UTC(2026, 10, 22, 14, 0, i)).toISOString(),
          }),
    );
  }
  return kinesisEvent(payloads);
}

describe('ingest handler (mocked AWS)', () => {
  beforeEach(() => {
    ddbMock.reset();
    s3Mock.reset();
    ddbMock.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    s3Mock.on(PutObjectCommand).resolves({});
  });

  it('stores 90 of 100 records, writes 90 raw lines and quarantines 10 of 8 kinds with their reasons', async () => {
    const event = mixedBatch();
    const d = deps();
    const result = await ingestBatch(event.Records, d);
    assert.deepEqual(result.batchItemFailures, []);
    const { items, raw, rawLines, quarantine } = written();
    assert.equal(items.length, 90);
    assert.equal(ddbMock.commandCalls(BatchWriteCommand).length, 4, '25 + 25 + 25 + 15');
    assert.equal(raw.length, 1, 'one object for the one date');
    assert.equal(raw[0]?.Key, `raw/dt=2026-11-22/${SHARD_ID}-${sequenceNumber(0)}.json.gz`);
    assert.equal(raw[0]?.ContentType, 'application/gzip');
    assert.equal(raw[0]?.ContentEncoding, undefined, 'readers go by the .gz extension');
    assert.equal(rawLines.length, 90);
    assert.deepEqual(
      rawLines.map((line) => line.event_id),
      items.map((item) => item.event_id),
    );
    assert.equal(quarantine.length, 10);
    const reasons = quarantine.map((q) => q.doc.reason).sort();
    assert.deepEqual(reasons, INVALID.map((i) => i.reason).sort());
    assert.equal(new Set(reasons).size, 8);
    for (const { key, doc } of quarantine) {
      assert.match(key, /^quarantine\/dt=2026-11-22\/shardId-000000000000-\d+\.json$/);
      assert.ok(key.endsWith(`${doc.sequence_number}.json`));
      assert.equal(typeof doc.detail, 'string');
      assert.equal(doc.payload_encoding, 'utf8');
    }
    const notJson = quarantine.find((q) => q.doc.sequence_number === sequenceNumber(5));
    assert.equal(notJson?.doc.payload, 'not json at all');
    const summary = d.log.lines.find((line) => line.message === 'batch stored');
    assert.deepEqual(
      [summary?.fields.received, summary?.fields.stored, summary?.fields.quarantined, summary?.fields.failed],
      [100, 90, 10, 0],
    );
  });

  it('adds anomaly, ingested_at and a TTL to every item, and keeps raw lines to the contract fields', async () => {
    const event = kinesisEvent([
      stockEvent({ change_percent: -7.5 }),
      stockEvent({ timestamp: '2026-11-22T14:31:00.000Z' }),
    ]);
    await ingestBatch(event.Records, deps());
    const { items, rawLines } = written();
    assert.deepEqual(
      items.map((item) => item.anomaly),
      [true, false],
    );
    assert.equal(items[0]?.ingested_at, '2026-11-22T15:00:00.000Z');
    assert.equal(items[0]?.expires_at, Date.parse('2026-11-22T15:00:00.000Z') / 1000 + 30 * 86_400);
    assert.equal('ingested_at' in rawLines[0], false);
    assert.equal('anomaly' in rawLines[0], false);
  });

  it('writes one raw object per run of dates, keyed by the run’s first sequence number', async () => {
    const event = kinesisEvent([
      stockEvent({ timestamp: '2026-11-22T23:59:59.000Z' }),
      stockEvent({ timestamp: '2026-11-23T00:00:01.000Z' }),
      stockEvent({ timestamp: '2026-11-23T00:00:02.000Z' }),
    ]);
    await ingestBatch(event.Records, deps());
    assert.deepEqual(
      written().raw.map((put) => put.Key),
      [
        `raw/dt=2026-11-22/${SHARD_ID}-${sequenceNumber(0)}.json.gz`,
        `raw/dt=2026-11-23/${SHARD_ID}-${sequenceNumber(1)}.json.gz`,
      ],
    );
  });

  it('writes today’s and yesterday’s records by date, older ones by month: history is a few objects', async () => {
    // deps() stores at 2026-11-22T15:00Z: yesterday is 2026-11-21.
    const event = kinesisEvent([
      stockEvent({ timestamp: '2026-10-30T00:00:00.000Z' }),
      stockEvent({ timestamp: '2026-10-31T00:00:00.000Z' }),
      stockEvent({ timestamp: '2026-11-02T00:00:00.000Z' }),
      stockEvent({ timestamp: '2026-11-20T23:59:59.000Z' }),
      stockEvent({ timestamp: '2026-11-21T00:00:00.000Z' }),
      stockEvent({ timestamp: '2026-11-22T14:30:00.000Z' }),
      stockEvent({ timestamp: '2026-11-03T00:00:00.000Z' }), // late: a run of its own, in its month
    ]);
    const result = await ingestBatch(event.Records, deps());
    assert.deepEqual(result.batchItemFailures, []);
    assert.deepEqual(
      written().raw.map((put) => put.Key),
      [
        `raw-months/month=2026-10/${SHARD_ID}-${sequenceNumber(0)}.json.gz`,
        `raw-months/month=2026-11/${SHARD_ID}-${sequenceNumber(2)}.json.gz`,
        `raw/dt=2026-11-21/${SHARD_ID}-${sequenceNumber(4)}.json.gz`,
        `raw/dt=2026-11-22/${SHARD_ID}-${sequenceNumber(5)}.json.gz`,
        `raw-months/month=2026-11/${SHARD_ID}-${sequenceNumber(6)}.json.gz`,
      ],
    );
    assert.deepEqual(
      written().raw.map(
        (put) =>
          gunzipSync(put.Body as Uint8Array)
            .toString('utf8')
            .trimEnd()
            .split('\n').length,
      ),
      [2, 2, 1, 1, 1],
    );
  });

  it('stores an observation repeated inside a batch once: the later one, counted as superseded', async () => {
    const first = stockEvent({ event_id: 'first', price: 100 });
    const later = stockEvent({ event_id: 'later', price: 101 });
    const result = await ingestBatch(
      kinesisEvent([first, stockEvent({ timestamp: '2026-11-22T14:31:00.000Z' }), later]).Records,
      deps(),
    );
    assert.deepEqual(result.batchItemFailures, []);
    const { items, rawLines } = written();
    assert.equal(items.length, 2);
    assert.equal(rawLines.length, 2);
    assert.deepEqual(
      rawLines.filter((line) => line.timestamp === first.timestamp).map((line) => [line.event_id, line.price]),
      [['later', 101]],
      'the later observation replaces the earlier, in DynamoDB and the lake',
    );
    assert.equal(result.counts.superseded, 1);
    assert.equal(result.counts.stored, 2);
  });

  it('retries UnprocessedItems until DynamoDB takes them', async () => {
    let calls = 0;
    ddbMock.on(BatchWriteCommand).callsFake((input) => {
      calls++;
      const requests = input.RequestItems[TABLE];
      return calls === 1 ? { UnprocessedItems: { [TABLE]: requests.slice(3) } } : { UnprocessedItems: {} };
    });
    const event = kinesisEvent(
      Array.from({ length: 10 }, (_, i) => stockEvent({ timestamp: `2026-11-22T14:${10 + i}:00.000Z` })),
    );
    const result = await ingestBatch(event.Records, deps());
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(calls, 2);
    assert.equal(ddbMock.commandCalls(BatchWriteCommand)[1]?.args[0].input.RequestItems?.[TABLE]?.length, 7);
    assert.equal(written().rawLines.length, 10);
  });

  it('on lasting throttling reports the first failed record onward and keeps later records out of the lake', async () => {
    const throttled = new Set(['e37', 'e80']);
    ddbMock.on(BatchWriteCommand).callsFake((input) => {
      const requests = input.RequestItems[TABLE] as { PutRequest: { Item: QuoteItem } }[];
      const left = requests.filter((request) => throttled.has(request.PutRequest.Item.event_id));
      return { UnprocessedItems: left.length > 0 ? { [TABLE]: left } : {} };
    });
    const payloads = Array.from({ length: 100 }, (_, i) =>
      stockEvent({ event_id: `e${i}`, timestamp: new Date(Date.UTC(2026, 10, 22, 14, 0, i)).toISOString() }),
    );
    const d = deps();
    const result = await ingestBatch(kinesisEvent(payloads).Records, d);
    assert.equal(result.batchItemFailures[0]?.itemIdentifier, sequenceNumber(37));
    assert.deepEqual(
      result.batchItemFailures.map((f) => f.itemIdentifier),
      Array.from({ length: 63 }, (_, i) => sequenceNumber(37 + i)),
    );
    const { rawLines } = written();
    assert.deepEqual(
      rawLines.map((line) => line.event_id),
      Array.from({ length: 37 }, (_, i) => `e${i}`),
    );
    assert.equal(result.counts.failed, 63);
    const warning = d.log.lines.find((line) => line.level === 'warn' && line.fields.first_failed_sequence_number);
    assert.equal(warning?.fields.first_failed_sequence_number, sequenceNumber(37));
  });

  it('a BatchWriteItem call that throws fails the batch from the first record of its chunk', async () => {
    let call = 0;
    ddbMock.on(BatchWriteCommand).callsFake(() => {
      call++;
      if (call === 2)
        throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ThrottlingException' });
      return { UnprocessedItems: {} };
    });
    const payloads = Array.from({ length: 60 }, (_, i) =>
      stockEvent({ event_id: `e${i}`, timestamp: new Date(Date.UTC(2026, 10, 22, 14, 0, i)).toISOString() }),
    );
    const result = await ingestBatch(kinesisEvent(payloads).Records, deps());
    assert.equal(result.batchItemFailures[0]?.itemIdentifier, sequenceNumber(25));
    assert.equal(written().rawLines.length, 25);
  });

  it('an item DynamoDB refuses for good is quarantined; the rest of its chunk is stored and the batch succeeds', async () => {
    const refused = (item: { symbol?: string }) => item.symbol === 'BAD';
    const validation = () =>
      Object.assign(new Error('Number underflow'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    ddbMock.on(BatchWriteCommand).callsFake((input) => {
      const requests = input.RequestItems[TABLE] as { PutRequest: { Item: { symbol: string } } }[];
      if (requests.some((request) => refused(request.PutRequest.Item))) throw validation();
      return { UnprocessedItems: {} };
    });
    ddbMock.on(PutCommand).callsFake((input) => {
      if (refused(input.Item)) throw validation();
      return {};
    });
    const payloads = Array.from({ length: 30 }, (_, i) =>
      stockEvent({
        event_id: `e${i}`,
        symbol: i === 7 ? 'BAD' : 'AAPL',
        timestamp: new Date(Date.UTC(2026, 10, 22, 14, 0, i)).toISOString(),
      }),
    );
    const d = deps();
    const result = await ingestBatch(kinesisEvent(payloads).Records, d);
    assert.deepEqual(result.batchItemFailures, []);
    const stored = [
      ...written().items.map((item) => item.event_id),
      ...ddbMock.commandCalls(PutCommand).map((call) => call.args[0].input.Item?.event_id),
    ].filter((id) => id !== 'e7');
    assert.equal(new Set(stored).size, 29, 'the 24 neighbours item by item, the other 5 in their own chunk');
    const { rawLines, quarantine } = written();
    assert.equal(rawLines.length, 29, 'the refused record is not in the lake');
    assert.ok(!rawLines.some((line) => line.symbol === 'BAD'));
    assert.deepEqual(
      quarantine.map((q) => [q.doc.reason, q.doc.sequence_number]),
      [['refused_by_store', sequenceNumber(7)]],
    );
    assert.match(quarantine[0]?.doc.detail, /Number underflow/);
    assert.equal(JSON.parse(quarantine[0]?.doc.payload).event_id, 'e7', 'the record as it arrived');
    assert.deepEqual([result.counts.stored, result.counts.quarantined, result.counts.failed], [29, 1, 0]);
  });

  it('a failed raw write fails the batch from that object’s first record', async () => {
    s3Mock.on(PutObjectCommand).callsFake((input) => {
      if (String(input.Key).startsWith('raw/dt=2026-11-23'))
        throw Object.assign(new Error('slow down'), { name: 'SlowDown' });
      return {};
    });
    const event = kinesisEvent([
      stockEvent({ timestamp: '2026-11-22T23:59:59.000Z' }),
      stockEvent({ timestamp: '2026-11-23T00:00:01.000Z' }),
      stockEvent({ timestamp: '2026-11-23T00:00:02.000Z' }),
    ]);
    const result = await ingestBatch(event.Records, deps());
    assert.deepEqual(
      result.batchItemFailures.map((f) => f.itemIdentifier),
      [sequenceNumber(1), sequenceNumber(2)],
    );
  });

  it('a failed quarantine write stops the batch there: nothing after it reaches DynamoDB or the lake', async () => {
    s3Mock.on(PutObjectCommand).callsFake((input) => {
      if (String(input.Key).startsWith('quarantine/'))
        throw Object.assign(new Error('internal'), { name: 'InternalError' });
      return {};
    });
    const event = kinesisEvent([
      stockEvent({ timestamp: '2026-11-22T14:00:00.000Z' }),
      'garbage',
      stockEvent({ timestamp: '2026-11-22T14:02:00.000Z' }),
    ]);
    const result = await ingestBatch(event.Records, deps());
    assert.equal(result.batchItemFailures[0]?.itemIdentifier, sequenceNumber(1));
    assert.equal(written().items.length, 1);
    assert.equal(written().rawLines.length, 1);
  });

  it('dates the quarantine by the clock when a hand-made record has no arrival time', async () => {
    const event = kinesisEvent(['garbage']);
    const [record] = event.Records;
    assert.ok(record);
    delete (record.kinesis as { approximateArrivalTimestamp?: number }).approximateArrivalTimestamp;
    const result = await ingestBatch(event.Records, deps());
    assert.deepEqual(result.batchItemFailures, []);
    assert.match(written().quarantine[0]?.key ?? '', /^quarantine\/dt=2026-11-22\//);
  });

  it('property: whatever fails, the lake holds exactly the valid records before the first failed one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(59), { maxLength: 3 }),
        async (validity, throttledPositions) => {
          ddbMock.reset();
          s3Mock.reset();
          s3Mock.on(PutObjectCommand).resolves({});
          const throttled = new Set(throttledPositions.map((i) => `e${i}`));
          ddbMock.on(BatchWriteCommand).callsFake((input) => {
            const requests = input.RequestItems[TABLE] as { PutRequest: { Item: QuoteItem } }[];
            const left = requests.filter((request) => throttled.has(request.PutRequest.Item.event_id));
            return { UnprocessedItems: left.length > 0 ? { [TABLE]: left } : {} };
          });
          const payloads = validity.map((valid, i) =>
            valid
              ? stockEvent({ event_id: `e${i}`, timestamp: new Date(Date.UTC(2026, 10, 22, 14, i)).toISOString() })
              : `bad ${i}`,
          );
          const result = await ingestBatch(kinesisEvent(payloads).Records, deps());
          const firstThrottled = validity.findIndex((valid, i) => valid && throttled.has(`e${i}`));
          const limit = firstThrottled === -1 ? validity.length : firstThrottled;
          assert.equal(
            result.batchItemFailures[0]?.itemIdentifier,
            limit < validity.length ? sequenceNumber(limit) : undefined,
          );
          const { rawLines, quarantine } = written();
          const expected = validity.flatMap((valid, i) => (valid && i < limit ? [`e${i}`] : []));
          assert.deepEqual(
            rawLines.map((line) => line.event_id),
            expected,
          );
          assert.equal(
            quarantine.length,
            validity.filter((valid) => !valid).length,
            'quarantine is idempotent per record',
          );
        },
      ),
      { numRuns: 60 },
    );
  });
  it('property: whatever raw writes fail, the retry from the first failed record leaves each record in the lake once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(40), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(39), { minLength: 1, maxLength: 4 }),
        async (dayOffsets, failingPositions) => {
          ddbMock.reset();
          s3Mock.reset();
          ddbMock.on(BatchWriteCommand).resolves({});
          // The lake as S3 holds it: a key written twice holds its last body.
          const lake = new Map<string, Uint8Array>();
          const failing = new Set(failingPositions.map((i) => `e${i}`));
          let attempt = 1;
          s3Mock.on(PutObjectCommand).callsFake((input) => {
            const body = input.Body as Uint8Array;
            const ids = gunzipSync(body)
              .toString('utf8')
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line).event_id as string);
            if (attempt === 1 && ids.some((id) => failing.has(id))) {
              throw Object.assign(new Error('slow down'), { name: 'SlowDown' });
            }
            lake.set(String(input.Key), body);
            return {};
          });
          // Dates in runs and jumps over both folders (by month before 2026-11-21, by date from
          // then on), so a batch holds several objects written at once.
          const payloads = dayOffsets.map((days, i) =>
            stockEvent({ event_id: `e${i}`, timestamp: new Date(Date.UTC(2026, 10, 23 - days, 14, i)).toISOString() }),
          );
          const records = kinesisEvent(payloads).Records;
          const first = await ingestBatch(records, deps());
          const from = first.batchItemFailures[0]?.itemIdentifier;
          if (from !== undefined) {
            attempt = 2;
            const retry = await ingestBatch(
              records.filter((record) => record.kinesis.sequenceNumber >= from),
              deps(),
            );
            assert.deepEqual(retry.batchItemFailures, []);
          }
          const ids = [...lake.values()].flatMap((body) =>
            gunzipSync(body)
              .toString('utf8')
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line).event_id as string),
          );
          assert.deepEqual(
            ids.sort(),
            payloads.map((event) => event.event_id).sort(),
            'every record once: later objects written before the failure are rewritten under their keys',
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
