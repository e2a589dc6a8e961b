/** fast-check generators for the data contract, shared by property tests. */
import fc from 'fast-check';
import type { StockEvent } from '../../src/core/event.ts';

// JSON has no -0 (it round-trips as 0), so events never carry one; and DynamoDB holds no number
// of magnitude below 1e-130, so a valid event carries none either.
const finite = fc
  .double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 })
  .map((x) => (x === 0 || Math.abs(x) < 1e-130 ? 0 : x));
const positive = fc.double({ noNaN: true, noDefaultInfinity: true, min: 1e-6, max: 1e7 });

/** 1–12 characters of the contract's set, at least one a letter or digit (so never `.` or `^` alone). */
export const symbolArb = fc
  .stringMatching(/^[A-Z0-9.\-^=]{0,11}$/)
  .chain((rest) =>
    fc
      .tuple(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), fc.nat(rest.length))
      .map(([anchor, at]) => `${rest.slice(0, at)}${anchor}${rest.slice(at)}`),
  );
export const timestampArb = fc
  .date({ min: new Date('1990-01-01T00:00:00.000Z'), max: new Date('2099-12-31T23:59:59.999Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

export const validEventArb: fc.Arbitrary<StockEvent> = fc
  .record({
    event_id: fc.uuid(),
    symbol: symbolArb,
    timestamp: timestampArb,
    price: positive,
    open: fc.option(positive, { nil: null }),
    high: fc.option(positive, { nil: null }),
    low: fc.option(positive, { nil: null }),
    previous_close: fc.option(positive, { nil: null }),
    change: fc.option(finite, { nil: null }),
    change_percent: fc.option(finite, { nil: null }),
    volume: fc.option(fc.maxSafeNat(), { nil: null }),
    currency: fc.option(fc.constantFrom('USD', 'EUR', 'PLN'), { nil: null }),
    market_state: fc.option(fc.constantFrom('REGULAR', 'PRE', 'POST', 'CLOSED'), { nil: null }),
    source: fc.constantFrom('yahoo', 'synthetic', 'replay'),
  })
  // fast-check builds records without a prototype; real events are plain objects.
  .map((event) => ({ ...event }));
