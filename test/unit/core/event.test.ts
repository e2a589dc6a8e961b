import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  MAX_EVENT_BYTES,
  parseEvent,
  type RejectReason,
  type StockEvent,
  validateEvent,
} from '../../../src/core/event.ts';
import { validEventArb } from '../../helpers/arbitraries.ts';

/** One way to break an event for each reason the validator knows. */
const BREAKERS: { reason: RejectReason; payload: fc.Arbitrary<(event: StockEvent) => string> }[] = [
  { reason: 'not_json', payload: fc.constant((e) => JSON.stringify(e).slice(0, -1)) },
  { reason: 'not_json', payload: fc.constant((e) => JSON.stringify(e).replace(/"price":[^,]+/, '"price":NaN')) },
  {
    reason: 'not_object',
    payload: fc.constantFrom(
      () => '[1,2]',
      () => '42',
      () => '"AAPL"',
      () => 'null',
    ),
  },
  {
    reason: 'missing_field',
    payload: fc.constantFrom('event_id', 'symbol', 'timestamp', 'price', 'source').map((field) => (e: StockEvent) => {
      const copy: Record<string, unknown> = { ...e };
      delete copy[field];
      return JSON.stringify(copy);
    }),
  },
  {
    reason: 'wrong_type',
    payload: fc.constantFrom(
      (e: StockEvent) => JSON.stringify({ ...e, price: String(e.price) }),
      (e: StockEvent) => JSON.stringify({ ...e, symbol: 42 }),
      (e: StockEvent) => JSON.stringify({ ...e, volume: 10.5 }),
      (e: StockEvent) => JSON.stringify({ ...e, open: 'high' }),
      (e: StockEvent) => JSON.stringify({ ...e, currency: 1 }),
    ),
  },
  {
    reason: 'non_positive_price',
    payload: fc
      .double({ max: 0, noNaN: true, noDefaultInfinity: true })
      .map((p) => (e: StockEvent) => JSON.stringify({ ...e, price: p })),
  },
  {
    reason: 'negative_number',
    payload: fc.integer({ max: -1 }).map((v) => (e: StockEvent) => JSON.stringify({ ...e, volume: v })),
  },
  {
    reason: 'bad_symbol',
    payload: fc
      .constantFrom('', 'aapl', 'TOO-LONG-SYMBOL', 'A B', 'AAPL!')
      .map((s) => (e: StockEvent) => JSON.stringify({ ...e, symbol: s })),
  },
  {
    reason: 'bad_timestamp',
    payload: fc
      .constantFrom(
        '2026-11-22T14:30:00Z',
        '2026-11-22 14:30:00.000Z',
        '2026-02-30T10:00:00.000Z',
        '2026-11-22T14:30:00.000+01:00',
        'yesterday',
      )
      .map((t) => (e: StockEvent) => JSON.stringify({ ...e, timestamp: t })),
  },
  {
    reason: 'bad_source',
    payload: fc.constantFrom('bloomberg', '').map((s) => (e: StockEvent) => JSON.stringify({ ...e, source: s })),
  },
  {
    reason: 'bad_event_id',
    payload: fc.constantFrom('', 'x'.repeat(65)).map((id) => (e: StockEvent) => JSON.stringify({ ...e, event_id: id })),
  },
  {
    reason: 'oversize',
    payload: fc.constant((e: StockEvent) => JSON.stringify({ ...e, padding: 'x'.repeat(MAX_EVENT_BYTES) })),
  },
];

describe('event validator', () => {
  it('accepts every valid event, from text and from bytes, unchanged', () => {
    fc.assert(
      fc.property(validEventArb, (event) => {
        const fromText = parseEvent(JSON.stringify(event));
        assert.ok(fromText.ok, !fromText.ok ? fromText.detail : '');
        assert.deepEqual(fromText.event, event);
        const fromBytes = parseEvent(new TextEncoder().encode(JSON.stringify(event)));
        assert.deepEqual(fromBytes, fromText);
      }),
      { numRuns: 300 },
    );
  });

  for (const { reason, payload } of BREAKERS) {
    it(`rejects ${reason} with its reason`, () => {
      fc.assert(
        fc.property(validEventArb, payload, (event, breakEvent) => {
          const result = parseEvent(breakEvent(event));
          assert.equal(result.ok, false);
          if (!result.ok) {
            assert.equal(result.reason, reason, result.detail);
            assert.ok(result.detail.length > 0);
          }
        }),
        { numRuns: 60 },
      );
    });
  }

  it('rejects NaN and Infinity in objects that never went through JSON', () => {
    fc.assert(
      fc.property(
        validEventArb,
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
        fc.constantFrom('price', 'open', 'change_percent', 'volume'),
        (event, bad, field) => {
          const result = validateEvent({ ...event, [field]: bad });
          assert.equal(result.ok, false);
          if (!result.ok) assert.equal(result.reason, 'not_finite');
        },
      ),
    );
  });

  it('fills absent nullable fields with null and drops unknown fields', () => {
    const result = validateEvent({
      event_id: 'e1',
      symbol: 'BRK-B',
      timestamp: '2026-11-22T14:30:00.123Z',
      price: 1,
      source: 'replay',
      extra: true,
    });
    assert.ok(result.ok);
    assert.equal(result.event.volume, null);
    assert.equal(result.event.currency, null);
    assert.equal('extra' in result.event, false);
  });
});
