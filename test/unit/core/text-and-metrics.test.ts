import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ALERT_LANGUAGES, alertText, MAX_SUBJECT_LENGTH } from '../../../src/core/alert-text.ts';
import { formatDuration, parseDuration } from '../../../src/core/duration.ts';
import { ingestConfigFromEnv, ingestEnv, trendsConfigFromEnv, trendsEnv } from '../../../src/core/handler-env.ts';
import { deriveChange, roundTo } from '../../../src/core/metrics.ts';
import { bucketNames, pipelineNames } from '../../../src/core/names.ts';
import { symbolArb, timestampArb } from '../../helpers/arbitraries.ts';

describe('alert text', () => {
  it('gives an ASCII subject under 100 characters for every language, signal and symbol', () => {
    fc.assert(
      fc.property(
        symbolArb,
        fc.constantFrom(...ALERT_LANGUAGES),
        fc.constantFrom('BUY', 'SELL', 'ANOMALY'),
        fc.double({ min: 0.01, max: 1e9, noNaN: true }),
        timestampArb,
        (symbol, language, signal, price, timestamp) => {
          const strategy = signal === 'ANOMALY' ? 'anomaly' : 'crossover';
          const { subject, message } = alertText(
            {
              symbol,
              signal,
              strategy,
              price,
              timestamp,
              indicators: { sma_short: price, sma_long: price, change_percent: 7.5 },
            },
            language,
          );
          assert.ok(subject.length <= MAX_SUBJECT_LENGTH, subject);
          assert.match(subject, /^[A-Za-z0-9][\x20-\x7e]*$/, subject);
          assert.ok(message.includes(symbol) && message.includes(timestamp));
        },
      ),
    );
  });

  it('speaks the chosen language', () => {
    const facts = {
      symbol: 'AAPL',
      signal: 'SELL',
      strategy: 'crossover',
      price: 187.5,
      timestamp: '2026-11-22T14:30:00.000Z',
      indicators: { sma_short: 1, sma_long: 2 },
    } as const;
    assert.match(alertText(facts, 'en').message, /^SELL AAPL at 187\.50: short SMA crossed below long SMA/);
    assert.match(alertText(facts, 'es').message, /^VENTA AAPL a 187\.50: la SMA corta cruzó por debajo/);
    assert.match(alertText(facts, 'pl').message, /^SPRZEDAJ AAPL po 187\.50: krótka SMA przecięła długą SMA od góry/);
    assert.match(alertText(facts, 'pl').subject, /krotka SMA przeciela dluga SMA od gory/);
  });
});

describe('derived metrics', () => {
  it('computes change and change_percent to 2 decimals', () => {
    assert.deepEqual(deriveChange(110, 100), { change: 10, change_percent: 10 });
    assert.deepEqual(deriveChange(187.3, 185.1), { change: 2.2, change_percent: 1.19 });
    assert.deepEqual(deriveChange(99, null), { change: null, change_percent: null });
    assert.equal(roundTo(1.005, 2), 1.01);
  });
  it('change_percent always has at most two decimals', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1e6, noNaN: true }),
        fc.double({ min: 0.01, max: 1e6, noNaN: true }),
        (price, previous) => {
          const { change_percent } = deriveChange(price, previous);
          assert.ok(change_percent !== null);
          assert.equal(Number(change_percent.toFixed(2)), change_percent);
        },
      ),
    );
  });
});

describe('durations', () => {
  it('parses what people type and refuses the rest', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.equal(parseDuration('0'), 0);
    for (const bad of ['', '-5s', '10', 'soon', '5 s', '1w'])
      assert.throws(() => parseDuration(bad), /invalid duration/);
    assert.equal(formatDuration(90_000), '1m30s');
  });
});

describe('names and handler environment', () => {
  it('derives every name from the pipeline name; buckets fit in 63 characters', () => {
    const names = pipelineNames('my-pipe');
    assert.equal(names.stream, 'my-pipe-stream');
    assert.equal(names.glueDatabase, 'my_pipe');
    assert.equal(names.ingestLogGroup, '/aws/lambda/my-pipe-ingest');
    const buckets = bucketNames('a'.repeat(24), '123456789012', 'ap-southeast-2');
    assert.ok(buckets.raw.length <= 63 && buckets.results.length <= 63);
  });

  it('round-trips the handler configuration through the environment', () => {
    const ingest = { quotesTable: 'q', rawBucket: 'b', anomalyThresholdPct: 4, ttlDays: 7 };
    assert.deepEqual(ingestConfigFromEnv(ingestEnv(ingest)), ingest);
    const trends = trendsConfigFromEnv({
      QUOTES_TABLE: 'q',
      ALERTS_TABLE: 'a',
      STRATEGY: 'threshold',
      ALERT_LANG: 'pl',
    });
    assert.equal(trends.strategy.name, 'threshold');
    assert.deepEqual(trendsConfigFromEnv(trendsEnv(trends)), trends);
  });

  it("names a file's strategy by name only: its code is in the zip", () => {
    const trends = trendsConfigFromEnv({ QUOTES_TABLE: 'q', ALERTS_TABLE: 'a', STRATEGY: 'breakout' });
    assert.deepEqual(trends.strategy, { name: 'breakout', file: '', bundle: '' });
    assert.equal(
      trendsEnv({ ...trends, strategy: { name: 'breakout', file: '/x/breakout.mjs', bundle: 'abc' } }).STRATEGY,
      'breakout',
    );
    assert.deepEqual(trendsConfigFromEnv(trendsEnv(trends)), trends);
  });

  it('names every missing or bad variable at once', () => {
    assert.throws(
      () => trendsConfigFromEnv({ STRATEGY: 'Magic rule', ALERT_LANG: 'de', SMA_SHORT: 'x' }),
      (error: Error) =>
        ['QUOTES_TABLE', 'ALERTS_TABLE', 'STRATEGY', 'ALERT_LANG'].every((name) => error.message.includes(name)),
    );
  });
});
