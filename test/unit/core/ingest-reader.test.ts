import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validateEvent } from '../../../src/core/event.ts';
import { normaliseTime, observationId, readObservation, readRecord } from '../../../src/core/ingest-reader.ts';
import { deriveChange } from '../../../src/core/metrics.ts';
import { validEventArb } from '../../helpers/arbitraries.ts';
import { TUTORIAL_RECORD } from '../../helpers/lambda-events.ts';

/** The reader's clock: every time up to a day after it is accepted. */
const NOW = new Date('2026-11-22T15:00:00.000Z');

function read(value: unknown) {
  const result = readObservation(value, NOW);
  assert.ok(result.ok, result.ok ? '' : `${result.reason}: ${result.detail}`);
  return result.event;
}

describe('tolerant ingest reader', () => {
  it('reads the tutorial shape: millisecond timestamp, external source, a deterministic id, fields kept', () => {
    const event = read(TUTORIAL_RECORD);
    assert.deepEqual(event, {
      event_id: observationId('AAPL', '2026-11-22T14:30:00.000Z'),
      symbol: 'AAPL',
      timestamp: '2026-11-22T14:30:00.000Z',
      price: 188.25,
      open: 187.1,
      high: 189.4,
      low: 186.9,
      previous_close: 186.5,
      change: 1.75,
      change_percent: 0.94,
      volume: 51234567,
      currency: null,
      market_state: null,
      source: 'external',
    });
    assert.match(event.event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('reads the minimal shape with Python isoformat() + "Z" (microseconds cut to milliseconds)', () => {
    const event = read({ symbol: 'msft', timestamp: '2026-11-22T14:30:00.123456Z', price: 411.2 });
    assert.equal(event.symbol, 'MSFT');
    assert.equal(event.timestamp, '2026-11-22T14:30:00.123Z');
    assert.equal(event.source, 'external');
    assert.equal(event.previous_close, null);
    assert.equal(event.change, null);
  });

  const TIMES: [unknown, string][] = [
    ['2026-11-22T14:30:00Z', '2026-11-22T14:30:00.000Z'],
    ['2026-11-22T14:30:00.1Z', '2026-11-22T14:30:00.100Z'],
    ['2026-11-22T14:30:00.123456789Z', '2026-11-22T14:30:00.123Z'],
    ['2026-11-22T14:30:00.999999Z', '2026-11-22T14:30:00.999Z'],
    ['2026-11-22T16:30:00.000+02:00', '2026-11-22T14:30:00.000Z'],
    ['2026-11-22T09:00:00-05:30', '2026-11-22T14:30:00.000Z'],
    ['2026-11-23T00:30:00+10:00', '2026-11-22T14:30:00.000Z'],
    ['2026-11-22 14:30:00', '2026-11-22T14:30:00.000Z'],
    ['2026-11-22 14:30:00.5', '2026-11-22T14:30:00.500Z'],
    ['2026-11-22T14:30:00', '2026-11-22T14:30:00.000Z'],
    [1795357800, '2026-11-22T14:30:00.000Z'],
    [1795357800.25, '2026-11-22T14:30:00.250Z'],
    [1795357800123, '2026-11-22T14:30:00.123Z'],
    [0, '1970-01-01T00:00:00.000Z'],
    ['2016-01-04T20:00:00Z', '2016-01-04T20:00:00.000Z'],
  ];
  for (const [input, expected] of TIMES) {
    it(`normalises the time ${JSON.stringify(input)} to ${expected}`, () => {
      assert.equal(normaliseTime(input), expected);
      assert.equal(read({ symbol: 'AAPL', price: 1, timestamp: input }).timestamp, expected);
    });
  }

  it('accepts a time up to exactly a day ahead of its clock, and a tiny but storable price', () => {
    assert.equal(read({ symbol: 'AAPL', price: 1e-130, timestamp: '2026-11-23T15:00:00Z' }).price, 1e-130);
    assert.equal(
      read({ symbol: 'AAPL', price: 9007199254740991, volume: 9007199254740991, timestamp: 0 }).volume,
      9007199254740991,
    );
  });

  it('reads numbers written as text and a padded, lower-case symbol', () => {
    const event = read({
      symbol: '  brk-b ',
      timestamp: '2026-11-22T14:30:00Z',
      price: '412.5',
      previous_close: ' 410 ',
      volume: '1200',
      open: '4.1e2',
    });
    assert.equal(event.symbol, 'BRK-B');
    assert.equal(event.price, 412.5);
    assert.equal(event.previous_close, 410);
    assert.equal(event.volume, 1200);
    assert.equal(event.open, 410);
  });

  it('derives change and change_percent from previous_close when they are absent, keeps them when given', () => {
    const derived = read({ symbol: 'AAPL', timestamp: 1795357800, price: 105, previous_close: 100 });
    assert.equal(derived.change, 5);
    assert.equal(derived.change_percent, 5);
    const given = read({ ...TUTORIAL_RECORD, change: 9, change_percent: 9 });
    assert.equal(given.change, 9);
  });

  it('keeps our producers’ event_id and source; an unknown source is external', () => {
    fc.assert(
      fc.property(validEventArb, (event) => {
        const result = readRecord(JSON.stringify(event), new Date('2100-01-01T00:00:00.000Z'));
        assert.ok(result.ok);
        // A contract event passes unchanged, except for a change that can be derived and was not.
        const derivable = event.change === null && event.change_percent === null && event.previous_close !== null;
        assert.deepEqual(
          result.event,
          derivable ? { ...event, ...deriveChange(event.price, event.previous_close) } : event,
        );
      }),
      { numRuns: 200 },
    );
    assert.equal(read({ ...TUTORIAL_RECORD, source: 'my-java-bot' }).source, 'external');
    assert.equal(read({ ...TUTORIAL_RECORD, event_id: 'mine-1' }).event_id, 'mine-1');
  });

  it('gives a re-sent observation the same id, and different observations different ids', () => {
    const first = read({ symbol: 'aapl', timestamp: '2026-11-22T14:30:00.000001Z', price: 1 });
    const again = read({ symbol: 'AAPL', timestamp: '2026-11-22T16:30:00+02:00', price: 2 });
    assert.equal(first.event_id, again.event_id);
    assert.notEqual(first.event_id, read({ symbol: 'AAPL', timestamp: '2026-11-22T14:30:01Z', price: 1 }).event_id);
    assert.notEqual(first.event_id, read({ symbol: 'MSFT', timestamp: '2026-11-22T14:30:00Z', price: 1 }).event_id);
  });

  it('turns unusable optional fields into null instead of losing the observation', () => {
    const event = read({
      ...TUTORIAL_RECORD,
      open: 'n/a',
      volume: 12.5,
      high: 12.5,
      low: null,
      currency: 7,
      change: 'x',
      change_percent: null,
    });
    assert.equal(event.open, null);
    assert.equal(event.volume, null);
    assert.equal(event.currency, null);
    assert.equal(event.low, null);
    // change was unusable and change_percent absent: both derived from previous_close.
    assert.equal(event.change, 1.75);
    assert.equal(event.change_percent, 0.94);
    assert.ok(validateEvent(event).ok);
  });

  const REJECTED: [string, unknown, string][] = [
    ['no symbol', { price: 1, timestamp: '2026-11-22T14:30:00Z' }, 'missing_field'],
    ['no price', { symbol: 'AAPL', timestamp: '2026-11-22T14:30:00Z' }, 'missing_field'],
    ['no time', { symbol: 'AAPL', price: 1 }, 'missing_field'],
    ['a numeric symbol', { symbol: 42, price: 1, timestamp: 0 }, 'wrong_type'],
    ['an impossible symbol', { symbol: 'A B', price: 1, timestamp: 0 }, 'bad_symbol'],
    ['a price that is not a number', { symbol: 'AAPL', price: 'n/a', timestamp: 0 }, 'wrong_type'],
    ['a zero price', { symbol: 'AAPL', price: '0', timestamp: 0 }, 'non_positive_price'],
    ['a negative price', { symbol: 'AAPL', price: -1, timestamp: 0 }, 'non_positive_price'],
    ['a day that does not exist', { symbol: 'AAPL', price: 1, timestamp: '2026-02-30T10:00:00Z' }, 'bad_timestamp'],
    ['a time without seconds', { symbol: 'AAPL', price: 1, timestamp: '2026-11-22 14:30' }, 'bad_timestamp'],
    ['a time before 1970', { symbol: 'AAPL', price: 1, timestamp: '1969-12-31T23:59:59Z' }, 'bad_timestamp'],
    ['a word for a time', { symbol: 'AAPL', price: 1, timestamp: 'yesterday' }, 'bad_timestamp'],
    ['an array', [1, 2], 'not_object'],
    // What storage would refuse, or cannot be true.
    ['a price DynamoDB cannot hold (underflow)', { symbol: 'AAPL', price: 1e-200, timestamp: 0 }, 'out_of_range'],
    ['a price beyond a safe integer', { symbol: 'AAPL', price: 1e16, timestamp: 0 }, 'out_of_range'],
    ['a volume beyond a safe integer', { symbol: 'AAPL', price: 1, volume: 1e16, timestamp: 0 }, 'out_of_range'],
    ['a volume written as huge text', { symbol: 'AAPL', price: 1, volume: '9e99', timestamp: 0 }, 'out_of_range'],
    [
      'a change_percent DynamoDB cannot hold',
      { symbol: 'AAPL', price: 1, change_percent: 1e-140, timestamp: 0 },
      'out_of_range',
    ],
    ['a negative open', { symbol: 'AAPL', price: 1, open: -1, timestamp: 0 }, 'negative_number'],
    ['a negative previous_close', { symbol: 'AAPL', price: 1, previous_close: '-5', timestamp: 0 }, 'negative_number'],
    ['a negative volume', { symbol: 'AAPL', price: 1, volume: -5, timestamp: 0 }, 'negative_number'],
    [
      'a time more than a day ahead',
      { symbol: 'AAPL', price: 1, timestamp: '2026-11-23T15:00:00.001Z' },
      'bad_timestamp',
    ],
    ['a time in 2999', { symbol: 'AAPL', price: 1, timestamp: '2999-01-01T00:00:00Z' }, 'bad_timestamp'],
  ];
  for (const [what, value, reason] of REJECTED) {
    it(`rejects ${what} (${reason})`, () => {
      const result = readObservation(value, NOW);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.reason, reason);
    });
  }
});

describe('normaliseTime: the common shapes read without a Date, as the general reader reads them', () => {
  const shapes = (iso: string) => [iso, iso.slice(0, 19), `${iso.slice(0, 19)}Z`, iso.slice(0, 19).replace('T', ' ')];

  it('gives what Date gives for every instant from 1970 to 9999, in every common shape', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(0), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
        (date) => {
          const iso = date.toISOString();
          const whole = `${iso.slice(0, 19)}.000Z`;
          const [canonical, plain, zulu, spaced] = shapes(iso);
          assert.equal(normaliseTime(canonical), iso);
          for (const text of [plain, zulu, spaced]) assert.equal(normaliseTime(text), whole, text);
        },
      ),
    );
  });

  it('refuses impossible dates and times in those shapes too', () => {
    for (const text of [
      '2015-02-29 10:00:00',
      '2016-02-30T10:00:00Z',
      '2100-02-29T00:00:00.000Z',
      '2016-13-01 00:00:00',
      '2016-00-10 00:00:00',
      '2016-01-00 00:00:00',
      '2016-01-01 24:00:00',
      '2016-01-01 23:60:00',
      '2016-01-01 23:59:60',
      '1969-12-31 23:59:59',
      '2016-01-01 1a:00:00',
      '2016-01-01T10:00:00.12xZ',
    ]) {
      assert.equal(normaliseTime(text), undefined, text);
    }
    assert.equal(normaliseTime('2000-02-29 12:00:00'), '2000-02-29T12:00:00.000Z', 'a leap day of a 400-year');
  });
});
