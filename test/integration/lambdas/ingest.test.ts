import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StockEvent } from '../../../src/core/event.ts';
import { kinesisEvent, sequenceNumber, stockEvent, TUTORIAL_RECORD } from '../../helpers/lambda-events.ts';
import { type LambdaStack, startLambdaStack } from './harness.ts';

/** What `fn` printed to stdout as JSON lines (the handler's logs and metrics), and its result. */
async function capturingStdout<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const write = process.stdout.write;
  let text = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    const result = await fn();
    return { result, lines: text.split('\n').filter((line) => line.startsWith('{')) };
  } finally {
    process.stdout.write = write;
  }
}

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'BRK-B', '^GSPC', 'EURUSD=X', 'TSLA', 'AMZN'];

/** `count` valid events, unique by (symbol, timestamp), one second apart. */
function events(count: number, prefix: string, start = Date.UTC(2026, 10, 22, 14)): StockEvent[] {
  return Array.from({ length: count }, (_, i) =>
    stockEvent({
      event_id: `${prefix}-${i}`,
      symbol: SYMBOLS[i % SYMBOLS.length] as string,
      timestamp: new Date(start + i * 1000).toISOString(),
      price: 100 + (i % 17),
    }),
  );
}

function batches(all: readonly StockEvent[], size: number, firstSequence = 0) {
  const out = [];
  for (let i = 0; i < all.length; i += size) out.push(kinesisEvent(all.slice(i, i + size), firstSequence + i));
  return out;
}

describe('ingest from the built zip, against dynalite and s3rver', () => {
  let stack: LambdaStack;
  before(async () => {
    stack = await startLambdaStack();
  });
  after(async () => {
    await stack.stop();
  });

  it('1,000 records: exact counts; the same batches delivered twice leave the same items and keys', async () => {
    process.env.QUOTES_TABLE = 'exact-quotes';
    process.env.RAW_BUCKET = 'exact-raw';
    await stack.createQuotesTable('exact-quotes');
    await stack.createBucket('exact-raw');
    const all = events(1000, 'exact');
    for (const batch of batches(all, 100)) assert.deepEqual(await stack.ingest(batch), { batchItemFailures: [] });

    assert.equal(await stack.countItems('exact-quotes'), 1000);
    const firstRaw = await stack.objects('exact-raw', 'raw');
    const lines = [...firstRaw.values()].flat().map((line) => JSON.parse(line) as StockEvent);
    assert.equal(firstRaw.size, 10, 'one object per batch of 100');
    assert.equal(lines.length, 1000);
    assert.deepEqual(new Set(lines.map((line) => line.event_id)), new Set(all.map((event) => event.event_id)));
    assert.deepEqual(lines[0], all[0], 'the lake holds the validated events as sent');
    const item = (await stack.scanItems('exact-quotes')).find((i) => i.event_id === 'exact-0');
    assert.equal(item?.anomaly, false);
    assert.equal(typeof item?.ingested_at, 'string');
    assert.equal(typeof item?.expires_at, 'number');

    for (const batch of batches(all, 100)) assert.deepEqual(await stack.ingest(batch), { batchItemFailures: [] });
    assert.equal(await stack.countItems('exact-quotes'), 1000);
    const secondRaw = await stack.objects('exact-raw', 'raw');
    assert.deepEqual([...secondRaw.keys()].sort(), [...firstRaw.keys()].sort());
    assert.equal([...secondRaw.values()].flat().length, 1000);
  });

  it('throttled writes: failures from the first failed sequence number; the retry stores everything exactly once', async () => {
    process.env.QUOTES_TABLE = 'fault-quotes';
    process.env.RAW_BUCKET = 'fault-raw';
    await stack.createQuotesTable('fault-quotes');
    await stack.createBucket('fault-raw');
    const all = events(100, 'fault', Date.UTC(2026, 10, 22, 16));
    const throttled = new Set([all[42], all[77]].map((event) => `${event?.symbol}#${event?.timestamp}`));
    stack.ddbProxy.throttle = (item) => throttled.has(`${item.symbol?.S}#${item.timestamp?.S}`);
    const [batch] = batches(all, 100, 5000);
    assert.ok(batch);
    const first = await stack.ingest(batch);
    assert.equal(first.batchItemFailures[0]?.itemIdentifier, sequenceNumber(5042));
    assert.equal(first.batchItemFailures.length, 58);
    const partial = [...(await stack.objects('fault-raw', 'raw')).values()].flat();
    assert.equal(partial.length, 42, 'only the records before the first failure reach the lake');

    // The throttling passes; Lambda redelivers from the first failed record.
    stack.ddbProxy.throttle = undefined;
    const retry = await stack.ingest({ Records: batch.Records.slice(42) });
    assert.deepEqual(retry, { batchItemFailures: [] });
    assert.equal(await stack.countItems('fault-quotes'), 100);
    const lake = [...(await stack.objects('fault-raw', 'raw')).values()].flat().map((line) => JSON.parse(line));
    assert.equal(lake.length, 100);
    assert.deepEqual(lake.map((line) => line.event_id).sort(), all.map((event) => event.event_id).sort());
  });

  it('invalid records go to quarantine/ and never fail the batch', async () => {
    process.env.QUOTES_TABLE = 'mixed-quotes';
    process.env.RAW_BUCKET = 'mixed-raw';
    await stack.createQuotesTable('mixed-quotes');
    await stack.createBucket('mixed-raw');
    const payloads: unknown[] = events(20, 'mixed', Date.UTC(2026, 10, 22, 18));
    payloads.splice(3, 0, 'nonsense', { ...stockEvent(), price: 0 });
    // The same observation again at the end: it supersedes the first copy.
    payloads.push({ ...(payloads[0] as StockEvent), event_id: 'again' });
    const printed = await capturingStdout(() => stack.ingest(kinesisEvent(payloads, 9000)));
    assert.deepEqual(printed.result, { batchItemFailures: [] });
    // What status sums on AWS: the batch's outcomes as CloudWatch metrics (Embedded Metric Format).
    const emf = printed.lines.map((line) => JSON.parse(line)).find((entry) => entry._aws);
    assert.ok(emf, `no EMF line in ${printed.lines.join('\n')}`);
    assert.equal(emf._aws.CloudWatchMetrics[0].Namespace, 'stockpipe');
    assert.deepEqual(emf._aws.CloudWatchMetrics[0].Dimensions, [['service']]);
    assert.equal(emf.service, 'stockpipe-ingest', 'the function name; AWS_LAMBDA_FUNCTION_NAME on AWS');
    assert.deepEqual([emf.RecordsStored, emf.RecordsQuarantined, emf.RecordsSuperseded], [20, 2, 1]);
    const quarantine = await stack.objects('mixed-raw', 'quarantine/');
    assert.deepEqual([...quarantine.values()].map(([line]) => JSON.parse(line as string).reason).sort(), [
      'non_positive_price',
      'not_json',
    ]);
    assert.equal(await stack.countItems('mixed-quotes'), 20);
  });

  it('other producers’ shapes: each variant is stored normalised, a re-send is one quote, only non-observations are quarantined', async () => {
    process.env.QUOTES_TABLE = 'tolerant-quotes';
    process.env.RAW_BUCKET = 'tolerant-raw';
    await stack.createQuotesTable('tolerant-quotes');
    await stack.createBucket('tolerant-raw');
    // Each accepted variant, and the timestamp it must be stored under.
    const accepted: [unknown, string, string][] = [
      [TUTORIAL_RECORD, 'AAPL', '2026-11-22T14:30:00.000Z'],
      [{ symbol: 'MSFT', timestamp: '2026-11-22T14:30:00.123456Z', price: 411.2 }, 'MSFT', '2026-11-22T14:30:00.123Z'],
      [{ symbol: 'NVDA', timestamp: '2026-11-22T16:31:00.5+02:00', price: 141.5 }, 'NVDA', '2026-11-22T14:31:00.500Z'],
      [{ symbol: 'TSLA', timestamp: '2026-11-22 14:32:00', price: '230.1' }, 'TSLA', '2026-11-22T14:32:00.000Z'],
      [{ symbol: ' amzn ', timestamp: 1795357800, price: 201 }, 'AMZN', '2026-11-22T14:30:00.000Z'],
      [
        { symbol: 'GOOG', timestamp: 1795357800123, price: 170, previous_close: 160 },
        'GOOG',
        '2026-11-22T14:30:00.123Z',
      ],
      [
        { symbol: 'BRK-B', timestamp: '2026-11-22T14:30:00.123456789Z', price: 412, volume: '1200' },
        'BRK-B',
        '2026-11-22T14:30:00.123Z',
      ],
    ];
    const rejected: [unknown, string][] = [
      [{ timestamp: '2026-11-22T14:30:00Z', price: 1 }, 'missing_field'],
      [{ symbol: 'AAPL', timestamp: '2026-11-22T14:30:00Z', price: 'n/a' }, 'wrong_type'],
      [{ symbol: 'AAPL', timestamp: 'soon', price: 1 }, 'bad_timestamp'],
    ];
    // The tutorial record sent again (a producer retry): the same observation, so one quote.
    const payloads = [
      ...accepted.map(([payload]) => payload),
      TUTORIAL_RECORD,
      ...rejected.map(([payload]) => payload),
    ];
    assert.deepEqual(await stack.ingest(kinesisEvent(payloads, 12_000)), { batchItemFailures: [] });
    // And once more in a later batch.
    assert.deepEqual(await stack.ingest(kinesisEvent([TUTORIAL_RECORD], 12_100)), { batchItemFailures: [] });

    const items = await stack.scanItems('tolerant-quotes');
    assert.equal(items.length, accepted.length, 'one quote per observation');
    for (const [, symbol, timestamp] of accepted) {
      const item = items.find((i) => i.symbol === symbol);
      assert.equal(item?.timestamp, timestamp, symbol);
      assert.equal(item?.source, 'external');
      assert.match(String(item?.event_id), /^[0-9a-f-]{36}$/);
    }
    const goog = items.find((i) => i.symbol === 'GOOG');
    assert.deepEqual([goog?.change, goog?.change_percent], [10, 6.25], 'derived from previous_close');
    assert.equal(items.find((i) => i.symbol === 'TSLA')?.price, 230.1);
    assert.equal(items.find((i) => i.symbol === 'BRK-B')?.volume, 1200);

    const lake = [...(await stack.objects('tolerant-raw', 'raw')).values()]
      .flat()
      .map((line) => JSON.parse(line) as StockEvent);
    const lakeApple = lake.filter((event) => event.symbol === 'AAPL');
    assert.equal(lakeApple[0]?.timestamp, '2026-11-22T14:30:00.000Z', 'the lake holds the normalised event');
    assert.equal(new Set(lakeApple.map((event) => event.event_id)).size, 1, 'a re-send carries the same id');
    for (const event of lake) assert.equal(Object.keys(event).length, 14, 'contract fields only');

    const quarantine = [...(await stack.objects('tolerant-raw', 'quarantine/')).values()].map(([line]) =>
      JSON.parse(line as string),
    );
    assert.deepEqual(quarantine.map((q) => q.reason).sort(), rejected.map(([, reason]) => reason).sort());
  });

  it('values storage would refuse are quarantined at the door: the 34 records around them are stored, nothing fails', async () => {
    process.env.QUOTES_TABLE = 'storable-quotes';
    process.env.RAW_BUCKET = 'storable-raw';
    await stack.createQuotesTable('storable-quotes');
    await stack.createBucket('storable-raw');
    const payloads: unknown[] = events(34, 'storable', Date.UTC(2026, 10, 22, 20));
    // The document client refuses 1e16 (beyond a safe integer); DynamoDB refuses 1e-200 (underflow).
    payloads.splice(5, 0, { ...stockEvent({ symbol: 'BIGV' }), volume: 1e16 });
    payloads.splice(20, 0, { ...stockEvent({ symbol: 'TINY' }), price: 1e-200 });
    const result = await stack.ingest(kinesisEvent(payloads, 15_000));
    assert.deepEqual(result, { batchItemFailures: [] });
    assert.equal(await stack.countItems('storable-quotes'), 34);
    const lake = [...(await stack.objects('storable-raw', 'raw')).values()].flat();
    assert.equal(lake.length, 34);
    const quarantine = [...(await stack.objects('storable-raw', 'quarantine/')).values()].map(([line]) =>
      JSON.parse(line as string),
    );
    assert.deepEqual(
      quarantine.map((q) => q.reason),
      ['out_of_range', 'out_of_range'],
    );
  });
});
