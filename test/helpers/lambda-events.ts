/**
 * AWS-shaped Lambda events for tests: Kinesis batches and DynamoDB stream INSERTs, with
 * realistic sequence numbers (increasing, same width, so they also sort as strings).
 */
import type { DynamoDBRecord, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { StockEvent } from '../../src/core/event.ts';

export const SHARD_ID = 'shardId-000000000000';

export function sequenceNumber(n: number): string {
  return `4965${String(n).padStart(52, '0')}`;
}

/** One Kinesis record; `payload` is sent as is when it is a string or bytes, else as JSON. */
export function kinesisRecord(payload: unknown, n: number, options: { arrivedAt?: string } = {}): KinesisStreamRecord {
  const bytes =
    typeof payload === 'string' || payload instanceof Uint8Array
      ? Buffer.from(payload)
      : Buffer.from(JSON.stringify(payload));
  const seq = sequenceNumber(n);
  return {
    awsRegion: 'us-east-1',
    eventID: `${SHARD_ID}:${seq}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/stockpipe-stream',
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/stockpipe-ingest',
    kinesis: {
      approximateArrivalTimestamp: Date.parse(options.arrivedAt ?? '2026-11-22T14:30:00.000Z') / 1000,
      data: bytes.toString('base64'),
      kinesisSchemaVersion: '1.0',
      partitionKey: typeof payload === 'object' && payload && 'symbol' in payload ? String(payload.symbol) : 'X',
      sequenceNumber: seq,
    },
  };
}

export function kinesisEvent(payloads: readonly unknown[], firstN = 0): KinesisStreamEvent {
  return { Records: payloads.map((payload, i) => kinesisRecord(payload, firstN + i)) };
}

/** The tutorial producer's record (second-precision timestamp, no event_id, no source). */
export const TUTORIAL_RECORD = {
  symbol: 'AAPL',
  open: 187.1,
  high: 189.4,
  low: 186.9,
  price: 188.25,
  previous_close: 186.5,
  change: 1.75,
  change_percent: 0.94,
  volume: 51234567,
  timestamp: '2026-11-22T14:30:00Z',
};

/** Every field an observation may leave null, null: `stockEvent({ ...NO_DETAILS, price })`. */
export const NO_DETAILS = {
  open: null,
  high: null,
  low: null,
  previous_close: null,
  change: null,
  change_percent: null,
  volume: null,
  currency: null,
  market_state: null,
} as const satisfies Partial<StockEvent>;

/** A valid event (AAPL at 100 on 2026-11-22 14:30 UTC, a fresh event_id), changed by `overrides`. */
export function stockEvent(overrides: Partial<StockEvent> & { symbol?: string } = {}): StockEvent {
  return {
    event_id: overrides.event_id ?? `evt-${Math.random().toString(36).slice(2)}`,
    symbol: 'AAPL',
    timestamp: '2026-11-22T14:30:00.000Z',
    price: 100,
    open: 99,
    high: 101,
    low: 98,
    previous_close: 99.5,
    change: 0.5,
    change_percent: 0.5,
    volume: 1000,
    currency: 'USD',
    market_state: 'REGULAR',
    source: 'synthetic',
    ...overrides,
  };
}

/** A price series of one symbol, one point a minute from `start`. */
export function series(
  symbol: string,
  prices: readonly number[],
  options: { start?: string; source?: StockEvent['source'] } = {},
): StockEvent[] {
  const start = Date.parse(options.start ?? '2026-11-22T14:00:00.000Z');
  return prices.map((price, i) =>
    stockEvent({
      event_id: `${symbol}-${i}`,
      symbol,
      price,
      timestamp: new Date(start + i * 60_000).toISOString(),
      change_percent: null,
      change: null,
      source: options.source ?? 'synthetic',
    }),
  );
}

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

/** A quote item as the stream's NEW_IMAGE carries it. */
export function toImage(item: Record<string, unknown>): Image {
  const image: Image = {};
  for (const [key, value] of Object.entries(item)) {
    if (value === null || value === undefined) image[key] = { NULL: true };
    else if (typeof value === 'number') image[key] = { N: String(value) };
    else if (typeof value === 'boolean') image[key] = { BOOL: value };
    else image[key] = { S: String(value) };
  }
  return image;
}

export function streamInsert(
  item: Record<string, unknown>,
  n: number,
  eventName: 'INSERT' | 'MODIFY' = 'INSERT',
): DynamoDBRecord {
  return {
    eventID: `e${n}`,
    eventName,
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/stockpipe-quotes/stream/2026-11-22T00:00:00.000',
    dynamodb: {
      Keys: { symbol: { S: String(item.symbol) }, timestamp: { S: String(item.timestamp) } },
      NewImage: toImage(item),
      SequenceNumber: `1${String(n).padStart(20, '0')}`,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/** The quote item ingest would store for an event, ingested `lagMs` after its timestamp. */
export function quoteOf(event: StockEvent, lagMs = 1000): Record<string, unknown> {
  return {
    ...event,
    anomaly: false,
    ingested_at: new Date(Date.parse(event.timestamp) + lagMs).toISOString(),
    expires_at: 2_000_000_000,
  };
}

/** Crossings at points 30 (BUY), 60 (SELL) and 90 (BUY), ten seconds apart, ending a minute ago. */
export function crossingSeries(symbol: string, now: number): StockEvent[] {
  const prices = [
    ...Array<number>(30).fill(100),
    ...Array<number>(30).fill(110),
    ...Array<number>(30).fill(90),
    ...Array<number>(30).fill(105),
  ];
  // Relative to now: the trends function skips points ingested long after their time.
  const start = now - 60_000 - prices.length * 10_000;
  return prices.map((price, i) =>
    stockEvent({
      event_id: `${symbol}-${i}`,
      symbol,
      price,
      timestamp: new Date(start + i * 10_000).toISOString(),
      change: null,
      change_percent: null,
    }),
  );
}
