import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import type { HandlerLog } from '../../../lambdas/shared/log.ts';
import { trendsBatch } from '../../../lambdas/trends/trends.ts';
import type { StockEvent } from '../../../src/core/event.ts';
import { type TrendsConfig, trendsConfigFromEnv } from '../../../src/core/handler-env.ts';
import { builtinStrategy, isFileStrategy, type Strategy } from '../../../src/core/strategies/index.ts';
import { quoteOf, series, streamInsert } from '../../helpers/lambda-events.ts';
import { ALERTS, fakeTables, QUOTES } from './trends-fake.ts';

const silent: HandlerLog = { info() {}, warn() {}, error() {} };
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:stockpipe-alerts';

function config(env: Record<string, string> = {}): TrendsConfig {
  return trendsConfigFromEnv({ QUOTES_TABLE: QUOTES, ALERTS_TABLE: ALERTS, ALERTS_TOPIC_ARN: TOPIC, ...env });
}

/** Flat, a jump up, flat, a drop, a rise: crossings exactly at points 30 (BUY), 60 (SELL), 90 (BUY). */
const CROSSING_PRICES = [
  ...Array<number>(30).fill(100),
  ...Array<number>(30).fill(110),
  ...Array<number>(30).fill(90),
  ...Array<number>(30).fill(105),
];
const EXPECTED_CROSSINGS = [
  { signal: 'BUY', timestamp: '2026-11-22T14:30:00.000Z' },
  { signal: 'SELL', timestamp: '2026-11-22T15:00:00.000Z' },
  { signal: 'BUY', timestamp: '2026-11-22T15:30:00.000Z' },
];

/** Feeds events as ingest would: stored first, then delivered as stream INSERTs, `batchSize` at a time. */
async function deliver(
  tables: ReturnType<typeof fakeTables>,
  events: readonly StockEvent[],
  batchSize: number,
  trendsConfig: TrendsConfig,
  options: { lagMs?: number } = {},
) {
  const responses = [];
  for (let start = 0; start < events.length; start += batchSize) {
    const batch = events.slice(start, start + batchSize).map((event) => quoteOf(event, options.lagMs));
    tables.quotes.push(...batch);
    const records = batch.map((item, i) => streamInsert(item, start + i));
    responses.push(await deliverRecords(tables, records, trendsConfig));
  }
  return responses;
}

function deliverRecords(
  tables: ReturnType<typeof fakeTables>,
  records: DynamoDBRecord[],
  trendsConfig: TrendsConfig,
  strategy?: Strategy,
) {
  if (!strategy && isFileStrategy(trendsConfig.strategy)) throw new Error('a file strategy needs its module');
  return trendsBatch(records, {
    config: trendsConfig,
    strategy: strategy ?? builtinStrategy(trendsConfig.strategy as Exclude<TrendsConfig['strategy'], { file: string }>),
    documents: tables.documents,
    sns: () => tables.sns,
    log: silent,
    now: () => new Date('2026-11-22T18:00:00.000Z'),
  });
}

function alertList(tables: ReturnType<typeof fakeTables>) {
  return [...tables.alerts.values()]
    .map((alert) => ({ signal: alert.signal, timestamp: alert.timestamp }))
    .sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
}

describe('trends handler (mocked AWS)', () => {
  for (const batchSize of [120, 7, 1]) {
    it(`emits exactly the known crossings, each once, with points in batches of ${batchSize}`, async () => {
      const tables = fakeTables();
      const responses = await deliver(tables, series('AAPL', CROSSING_PRICES), batchSize, config());
      assert.ok(responses.every((response) => response.batchItemFailures.length === 0));
      assert.deepEqual(alertList(tables), EXPECTED_CROSSINGS);
      assert.deepEqual(
        tables.published.map((p) => [p.symbol, p.signal]),
        [
          ['AAPL', 'BUY'],
          ['AAPL', 'SELL'],
          ['AAPL', 'BUY'],
        ],
      );
    });
  }

  it('property: however the points are split into batches, the alerts are those of one single batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -300, max: 300 }), { minLength: 20, maxLength: 80 }),
        fc.integer({ min: 1, max: 25 }),
        fc.constantFrom('crossover', 'threshold'),
        async (moves, batchSize, strategy) => {
          const prices: number[] = [];
          let price = 100;
          for (const move of moves) {
            price = Math.max(1, price * (1 + move / 10_000));
            prices.push(price);
          }
          const env = {
            STRATEGY: strategy,
            COOLDOWN_MINUTES: '5',
            SMA_SHORT: '3',
            SMA_LONG: '8',
            MIN_POINTS: '8',
            LOOKBACK: '5',
            SMA_WINDOW: '8',
          };
          const whole = fakeTables();
          await deliver(whole, series('PROP', prices), prices.length, config(env));
          const split = fakeTables();
          await deliver(split, series('PROP', prices), batchSize, config(env));
          assert.deepEqual(alertList(split), alertList(whole));
          assert.equal(split.published.length, split.alerts.size);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('makes one history Query per symbol and batch in the usual case', async () => {
    const tables = fakeTables();
    const responses = await deliver(tables, series('AAPL', CROSSING_PRICES), 7, config());
    assert.equal(tables.quoteQueries(), responses.length);
  });

  it('property: stream batches that cut through an ingest write, out of order, raise the same alerts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -300, max: 300 }), { minLength: 30, maxLength: 90 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer(),
        async (moves, batchSize, seed) => {
          const prices: number[] = [];
          let price = 100;
          for (const move of moves) {
            price = Math.max(1, price * (1 + move / 10_000));
            prices.push(price);
          }
          const env = { COOLDOWN_MINUTES: '0', SMA_SHORT: '3', SMA_LONG: '8' };
          const events = series('PROP', prices);
          const whole = fakeTables();
          await deliver(whole, events, events.length, config(env));
          // Ingest stored everything (25 items per write, in no particular order within a write);
          // the stream hands them over in that order, cut into batches anywhere.
          const split = fakeTables();
          const items = events.map((event) => quoteOf(event));
          split.quotes.push(...items);
          const order = items.map((_, i) => i);
          let state = seed;
          for (let start = 0; start < order.length; start += 25) {
            for (let i = Math.min(order.length, start + 25) - 1; i > start; i--) {
              state = (state * 1103515245 + 12345) & 0x7fffffff;
              const j = start + (state % (i - start + 1));
              [order[i], order[j]] = [order[j] as number, order[i] as number];
            }
          }
          const records = order.map((i, n) => streamInsert(items[i] as Record<string, unknown>, n));
          for (let start = 0; start < records.length; start += batchSize) {
            const response = await deliverRecords(split, records.slice(start, start + batchSize), config(env));
            assert.deepEqual(response.batchItemFailures, []);
          }
          assert.deepEqual(alertList(split), alertList(whole));
        },
      ),
      { numRuns: 40 },
    );
  });

  for (const [language, buy, sell] of [
    ['en', 'BUY', 'SELL'],
    ['es', 'COMPRA', 'VENTA'],
    ['pl', 'KUPUJ', 'SPRZEDAJ'],
  ] as const) {
    it(`writes the alerts in ${language}: ASCII subject under 100 characters, message, attributes, record`, async () => {
      const tables = fakeTables();
      await deliver(tables, series('BRK-B', CROSSING_PRICES), 10, config({ ALERT_LANG: language }));
      assert.equal(tables.published.length, 3);
      for (const p of tables.published) {
        assert.ok(p.Subject.length < 100);
        assert.match(p.Subject, /^[\x20-\x7e]+$/);
        assert.match(p.Subject, new RegExp(`^stockpipe (${buy}|${sell}) BRK-B`));
      }
      assert.ok(tables.published[0]?.Message.startsWith(`${buy} BRK-B`));
      assert.ok(tables.published[1]?.Message.startsWith(`${sell} BRK-B`));
      const record = [...tables.alerts.values()].find((alert) => alert.signal === 'SELL');
      assert.equal(record?.language, language);
      assert.equal(record?.strategy, 'crossover');
      assert.equal(record?.price, 90);
      assert.equal(record?.alert_key, '2026-11-22T15:00:00.000Z#SELL');
      assert.equal(record?.message_id, 'm-2');
      assert.equal(record?.published_at, '2026-11-22T18:00:00.000Z');
      assert.deepEqual(Object.keys(record?.indicators ?? {}).sort(), [
        'prev_sma_long',
        'prev_sma_short',
        'sma_long',
        'sma_short',
      ]);
    });
  }

  it('threshold strategy: one BUY and one SELL, the repeats held back by the cooldown', async () => {
    const prices = [...Array<number>(30).fill(100), ...Array<number>(30).fill(103), ...Array<number>(30).fill(99)];
    const tables = fakeTables();
    const responses = await deliver(tables, series('MSFT', prices), 9, config({ STRATEGY: 'threshold' }));
    assert.deepEqual(alertList(tables), [
      { signal: 'BUY', timestamp: '2026-11-22T14:30:00.000Z' },
      { signal: 'SELL', timestamp: '2026-11-22T15:00:00.000Z' },
    ]);
    const cooldown = responses.reduce((sum, response) => sum + response.counts.cooldown, 0);
    assert.ok(cooldown > 0, 'later points that still meet the rule are in cooldown');
    assert.equal([...tables.alerts.values()][0]?.strategy, 'threshold');
  });

  it('raises no signal from fewer points than the strategy needs', async () => {
    const tables = fakeTables();
    // 20 points: the long SMA exists only at the last one, so no crossing can be judged.
    const responses = await deliver(
      tables,
      series('TSLA', [...Array<number>(15).fill(100), 120, 130, 140, 150, 160]),
      20,
      config(),
    );
    assert.equal(responses[0]?.counts.signals, 0);
    assert.equal(tables.published.length, 0);
    assert.equal(tables.alerts.size, 0);
  });

  it('a redelivered batch sends nothing twice', async () => {
    const tables = fakeTables();
    const events = series('AAPL', CROSSING_PRICES);
    await deliver(tables, events, 120, config());
    const records = events.map((event, i) => streamInsert(quoteOf(event), i));
    const again = await deliverRecords(tables, records, config());
    assert.deepEqual(again.batchItemFailures, []);
    assert.equal(again.counts.already_recorded, 3);
    assert.equal(tables.published.length, 3);
  });

  it('a failed publish fails the batch from the symbol’s first record and is published on the retry', async () => {
    const tables = fakeTables();
    const aapl = series('AAPL', CROSSING_PRICES.slice(0, 40)).map((event) => quoteOf(event));
    const msft = series('MSFT', CROSSING_PRICES.slice(0, 40)).map((event) => quoteOf(event));
    tables.quotes.push(...msft, ...aapl);
    const records = [...msft, ...aapl].map((item, i) => streamInsert(item, i));
    tables.failNextPublishes(1);
    const first = await deliverRecords(tables, records, config());
    const failedFrom = first.batchItemFailures[0]?.itemIdentifier;
    assert.ok(
      failedFrom === records[0]?.dynamodb?.SequenceNumber || failedFrom === records[40]?.dynamodb?.SequenceNumber,
    );
    assert.equal(tables.published.length, 1, 'the other symbol went out');
    // Lambda retries from the first failed record.
    const retryFrom = records.findIndex((record) => record.dynamodb?.SequenceNumber === failedFrom);
    const retry = await deliverRecords(tables, records.slice(retryFrom), config());
    assert.deepEqual(retry.batchItemFailures, []);
    assert.deepEqual(tables.published.map((p) => p.symbol).sort(), ['AAPL', 'MSFT']);
    assert.equal(tables.alerts.size, 2);
  });

  it('stale points raise no alert, replayed history always does', async () => {
    const stale = fakeTables();
    await deliver(stale, series('AAPL', CROSSING_PRICES), 120, config({ STALE_MINUTES: '60' }), {
      lagMs: 2 * 3_600_000,
    });
    assert.equal(stale.alerts.size, 0);
    const replay = fakeTables();
    await deliver(replay, series('AAPL', CROSSING_PRICES, { source: 'replay' }), 120, config({ STALE_MINUTES: '60' }), {
      lagMs: 400 * 86_400_000,
    });
    assert.deepEqual(alertList(replay), EXPECTED_CROSSINGS);
  });

  it('cooldown is measured in data time: a lasting crossing pattern alerts once per window', async () => {
    // Crossings every 4 minutes of data time; a 15-minute cooldown lets a BUY through at most once per 15 minutes.
    const prices: number[] = Array<number>(20).fill(100);
    for (let i = 0; i < 40; i++) prices.push(i % 8 < 4 ? 120 : 80);
    const tables = fakeTables();
    const responses = await deliver(tables, series('NVDA', prices), 5, config({ SMA_SHORT: '2', SMA_LONG: '4' }));
    const buys = alertList(tables)
      .filter((alert) => alert.signal === 'BUY')
      .map((alert) => Date.parse(alert.timestamp));
    assert.ok(buys.length >= 2);
    for (let i = 1; i < buys.length; i++) assert.ok((buys[i] as number) - (buys[i - 1] as number) >= 15 * 60_000);
    assert.ok(responses.some((response) => response.counts.cooldown > 0));
  });

  it('with no topic it records the alerts and publishes nothing', async () => {
    const tables = fakeTables();
    await deliver(tables, series('AAPL', CROSSING_PRICES), 30, config({ ALERTS_TOPIC_ARN: '' }));
    assert.equal(tables.published.length, 0);
    assert.equal(tables.snsMock.calls().length, 0);
    assert.deepEqual(alertList(tables), EXPECTED_CROSSINGS);
    assert.equal([...tables.alerts.values()][0]?.message_id, undefined);
  });

  it('ignores MODIFY records (a retried ingest rewriting a quote) and evaluates anomalies when enabled', async () => {
    const tables = fakeTables();
    const [event] = series('AMD', [100]);
    const item = { ...quoteOf(event as StockEvent), change_percent: 9.5 };
    tables.quotes.push(item);
    const modify = await deliverRecords(tables, [streamInsert(item, 0, 'MODIFY')], config({ ANOMALY_ALERTS: 'true' }));
    assert.equal(modify.counts.points, 0);
    const insert = await deliverRecords(tables, [streamInsert(item, 0)], config({ ANOMALY_ALERTS: 'true' }));
    assert.equal(insert.counts.alerts, 1);
    assert.equal(tables.published[0]?.signal, 'ANOMALY');
  });
});

describe("trends handler with a file's strategy", () => {
  const fileConfig = () => config({ STRATEGY: 'flaky' });
  const records = (tables: ReturnType<typeof fakeTables>, symbols: string[], prices: number[]) => {
    const items = symbols.flatMap((symbol) => series(symbol, prices).map((event) => quoteOf(event)));
    tables.quotes.push(...items);
    return items.map((item, i) => streamInsert(item, i));
  };

  it('a point it cannot judge is logged once per symbol and batch, counted, and never blocks the stream', async () => {
    const tables = fakeTables();
    const errors: Record<string, unknown>[] = [];
    const log: HandlerLog = {
      ...silent,
      error: (message, ...extra) => errors.push({ message, ...Object.assign({}, ...extra) }),
    };
    const strategy: Strategy = {
      name: 'flaky',
      history: 1,
      evaluate(points, i) {
        const price = points[i]?.price;
        if (price === 13) throw new TypeError('unlucky');
        if (price === 14) return 'HOLD' as never;
        if (price === 15) return { signal: 'BUY', indicators: { ratio: Number.POSITIVE_INFINITY } };
        return price === 20 ? { signal: 'BUY', indicators: { price } } : undefined;
      },
    };
    const prices = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
    const response = await trendsBatch(records(tables, ['AAA', 'BBB'], prices), {
      config: fileConfig(),
      strategy,
      documents: tables.documents,
      sns: () => tables.sns,
      log,
      now: () => new Date('2026-11-22T18:00:00.000Z'),
    });
    assert.deepEqual(response.batchItemFailures, []);
    assert.equal(response.counts.strategy_errors, 6);
    assert.deepEqual(
      errors.map((entry) => [entry.message, entry.symbol, entry.strategy, entry.points, entry.error]),
      [
        ['strategy failed', 'AAA', 'flaky', 3, 'TypeError: unlucky'],
        ['strategy failed', 'BBB', 'flaky', 3, 'TypeError: unlucky'],
      ],
    );
    // The rest of the series is judged as usual, and alerts as every strategy's do.
    assert.deepEqual(
      [...tables.alerts.values()].map((alert) => [alert.symbol, alert.signal, alert.strategy, alert.price]).sort(),
      [
        ['AAA', 'BUY', 'flaky', 20],
        ['BBB', 'BUY', 'flaky', 20],
      ],
    );
    assert.match(tables.published[0]?.Message ?? '', /signal of the flaky strategy/);
  });

  it('sees the same point shape for stored history and new points: timestamp, price and the market fields', async () => {
    const tables = fakeTables();
    const seen: string[] = [];
    const strategy: Strategy = {
      name: 'flaky',
      history: 1,
      evaluate(points, i) {
        for (const point of [points[i - 1], points[i]])
          seen.push(
            Object.keys(point ?? {})
              .sort()
              .join(','),
          );
        return undefined;
      },
    };
    const all = records(tables, ['AAA'], [10, 11, 12]);
    // One point a batch: the previous one comes back from the table, the new one from the stream.
    for (const record of all) {
      await trendsBatch([record], { config: fileConfig(), strategy, documents: tables.documents, log: silent });
    }
    assert.deepEqual(
      new Set(seen),
      new Set(['change,change_percent,high,low,open,previous_close,price,timestamp,volume']),
    );
  });
});
