import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AlertRecord } from '../../../src/core/tables.ts';
import { kinesisEvent, series, streamInsert } from '../../helpers/lambda-events.ts';
import { type LambdaStack, startLambdaStack } from './harness.ts';

/** Crossings exactly at points 30 (BUY), 60 (SELL) and 90 (BUY). */
const PRICES = [
  ...Array<number>(30).fill(100),
  ...Array<number>(30).fill(110),
  ...Array<number>(30).fill(90),
  ...Array<number>(30).fill(105),
];
const MINUTE = 60_000;
/**
 * The ingest zip stamps `ingested_at` with its own clock and trends calls a live point stale when
 * that is over an hour after the observation, so the series is dated from the clock: one point a
 * minute, starting 30 minutes ago (every point, the crossings included, is fresh; none is further
 * ahead than two hours).
 */
const START = Math.floor(Date.now() / MINUTE) * MINUTE - 30 * MINUTE;
const at = (point: number) => new Date(START + point * MINUTE).toISOString();
const EXPECTED = [
  ['BUY', at(30)],
  ['SELL', at(60)],
  ['BUY', at(90)],
];

describe('trends from the built zip, fed by the ingest zip, against dynalite', () => {
  let stack: LambdaStack;
  before(async () => {
    stack = await startLambdaStack({ QUOTES_TABLE: 'quotes', RAW_BUCKET: 'raw', ALERTS_TOPIC_ARN: '' });
    await stack.createQuotesTable('quotes');
    await stack.createBucket('raw');
  });
  after(async () => {
    await stack.stop();
  });

  /** Ingests the series `batchSize` points at a time, then hands the stored items to trends as INSERTs. */
  async function pipe(symbol: string, batchSize: number) {
    const events = series(symbol, PRICES, { start: at(0) });
    let n = 0;
    for (let start = 0; start < events.length; start += batchSize) {
      const batch = events.slice(start, start + batchSize);
      assert.deepEqual(await stack.ingest(kinesisEvent(batch, start)), { batchItemFailures: [] });
      const stored = (await stack.scanItems('quotes')).filter(
        (item) => item.symbol === symbol && batch.some((event) => event.timestamp === item.timestamp),
      );
      stored.sort((a, b) => (String(a.timestamp) < String(b.timestamp) ? -1 : 1));
      const response = await stack.trends({ Records: stored.map((item) => streamInsert(item, n++)) });
      assert.deepEqual(response, { batchItemFailures: [] });
    }
  }

  async function alerts(table: string, symbol: string) {
    const items = (await stack.scanItems(table)) as unknown as AlertRecord[];
    return items.filter((item) => item.symbol === symbol).sort((a, b) => (a.alert_key < b.alert_key ? -1 : 1));
  }

  for (const [language, batchSize, buyWord] of [
    ['en', 120, 'BUY'],
    ['es', 10, 'COMPRA'],
    ['pl', 1, 'KUPUJ'],
  ] as const) {
    it(`records exactly the known crossings once, in ${language}, with points in batches of ${batchSize}`, async () => {
      const table = `alerts-${language}`;
      await stack.createAlertsTable(table);
      process.env.ALERTS_TABLE = table;
      process.env.ALERT_LANG = language;
      const symbol = `SYM${language.toUpperCase()}`;
      await pipe(symbol, batchSize);
      const recorded = await alerts(table, symbol);
      assert.deepEqual(
        recorded.map((alert) => [alert.signal, alert.timestamp]),
        EXPECTED,
      );
      assert.equal(recorded[0]?.language, language);
      assert.ok(recorded[0]?.message.startsWith(`${buyWord} ${symbol}`));
      assert.ok((recorded[0]?.subject.length ?? 100) < 100);
      assert.equal(recorded[0]?.message_id, undefined, 'no topic: recorded, not published');

      // Delivering everything again as one batch adds nothing.
      const stored = (await stack.scanItems('quotes')).filter((item) => item.symbol === symbol);
      await stack.trends({ Records: stored.map((item, i) => streamInsert(item, 10_000 + i)) });
      assert.equal((await alerts(table, symbol)).length, 3);
    });
  }
});
