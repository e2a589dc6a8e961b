import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  anomalySignals,
  crossoverSignals,
  evaluateStrategy,
  historyNeeded,
  type PricePoint,
  strategyProblem,
  thresholdSignals,
} from '../../../src/core/strategies/index.ts';

const toPoints = (prices: number[]): PricePoint[] =>
  prices.map((price, i) => ({ timestamp: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), price }));

/** Independent recomputation: each SMA from its own slice, every index compared by hand. */
function bruteForceCrossings(prices: number[], short: number, long: number): { index: number; signal: string }[] {
  const sma = (end: number, w: number) => prices.slice(end - w + 1, end + 1).reduce((a, b) => a + b, 0) / w;
  const found: { index: number; signal: string }[] = [];
  for (let i = 1; i < prices.length; i++) {
    if (i - 1 < long - 1) continue;
    const [s, l, ps, pl] = [sma(i, short), sma(i, long), sma(i - 1, short), sma(i - 1, long)];
    if (ps <= pl && s > l) found.push({ index: i, signal: 'BUY' });
    else if (ps >= pl && s < l) found.push({ index: i, signal: 'SELL' });
  }
  return found;
}

// Integer prices make exact ties (SMA short == SMA long) common, the hard case for the ≤ rule.
const priceSeries = fc.oneof(
  fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 120 }),
  fc.array(fc.double({ min: 1, max: 500, noNaN: true }), { maxLength: 120 }),
);
const windows = fc
  .integer({ min: 1, max: 8 })
  .chain((short) => fc.record({ short: fc.constant(short), long: fc.integer({ min: short + 1, max: 25 }) }));

describe('crossover strategy', () => {
  it('finds exactly the crossings of a brute-force recomputation', () => {
    fc.assert(
      fc.property(priceSeries, windows, (prices, params) => {
        const found = crossoverSignals(toPoints(prices), params).map(({ index, signal }) => ({ index, signal }));
        assert.deepEqual(found, bruteForceCrossings(prices, params.short, params.long));
      }),
      { numRuns: 500 },
    );
  });

  it('evaluating from any index equals filtering the full evaluation (a batch never loses a crossing)', () => {
    fc.assert(
      fc.property(priceSeries, windows, fc.nat(), (prices, params, cut) => {
        const points = toPoints(prices);
        const from = prices.length === 0 ? 0 : cut % (prices.length + 1);
        const all = crossoverSignals(points, params).filter((s) => s.index >= from);
        assert.deepEqual(crossoverSignals(points, params, from), all);
      }),
      { numRuns: 300 },
    );
  });

  it('raises nothing from fewer points than it needs', () => {
    const points = toPoints([1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
    assert.deepEqual(crossoverSignals(points, { short: 5, long: 20 }), []);
    assert.equal(historyNeeded({ name: 'crossover', short: 5, long: 20 }), 20);
  });

  it('reports the indicators of the raising point', () => {
    const prices = [...Array(20).fill(10), 30];
    const [signal] = crossoverSignals(toPoints(prices), { short: 5, long: 20 });
    assert.ok(signal);
    assert.equal(signal.signal, 'BUY');
    assert.equal(signal.index, 20);
    assert.equal(signal.price, 30);
    assert.equal(signal.indicators.sma_short, 14);
    assert.equal(signal.indicators.sma_long, 11);
  });
});

describe('threshold strategy', () => {
  const params = { threshPct: 1.5, lookback: 15, smaWindow: 20, minPoints: 20, epsPct: 0.2 };

  it('follows its rule at every index', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 50, max: 150, noNaN: true }), { maxLength: 80 }), (prices) => {
        const signals = new Map(thresholdSignals(toPoints(prices), params).map((s) => [s.index, s.signal]));
        for (let i = 0; i < prices.length; i++) {
          let expected: string | undefined;
          if (i + 1 >= params.minPoints && i >= params.lookback && i + 1 >= params.smaWindow) {
            const price = prices[i] as number;
            const base = prices[i - params.lookback] as number;
            const average = prices.slice(i - params.smaWindow + 1, i + 1).reduce((a, b) => a + b, 0) / params.smaWindow;
            const change = ((price - base) / base) * 100;
            const distance = ((price - average) / average) * 100;
            if (change >= params.threshPct && distance >= params.epsPct) expected = 'BUY';
            else if (change <= -params.threshPct && distance <= -params.epsPct) expected = 'SELL';
          }
          assert.equal(signals.get(i), expected, `index ${i}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('needs MIN_POINTS points before the first signal', () => {
    const rising = Array.from({ length: 40 }, (_, i) => 100 + i * 2);
    const signals = thresholdSignals(toPoints(rising), params);
    assert.equal(signals[0]?.index, 19);
    assert.ok(signals.every((s) => s.signal === 'BUY'));
    assert.deepEqual(evaluateStrategy({ name: 'threshold', ...params }, toPoints(rising.slice(0, 19))), []);
  });
});

describe('anomaly signals and parameter checks', () => {
  it('flags moves at or beyond the threshold in either direction', () => {
    const points = [5, -5.01, 4.99, null, -12].map(
      (change_percent, i) => ({ ...toPoints([100])[0], timestamp: `t${i}`, price: 100, change_percent }) as PricePoint,
    );
    assert.deepEqual(
      anomalySignals(points, 5).map((s) => s.index),
      [0, 1, 4],
    );
  });

  it('refuses windows that cannot work', () => {
    assert.match(strategyProblem({ name: 'crossover', short: 20, long: 5 }) ?? '', /smaller/);
    assert.equal(strategyProblem({ name: 'crossover', short: 5, long: 20 }), undefined);
    assert.match(
      strategyProblem({ name: 'threshold', threshPct: 0, lookback: 15, smaWindow: 20, minPoints: 20, epsPct: 0.2 }) ??
        '',
      /threshold/,
    );
  });
});
