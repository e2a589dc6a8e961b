import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Backtest, OutOfOrderError } from '../../../src/commands/backtest/engine.ts';
import {
  builtinStrategy,
  Cooldown,
  evaluateStrategy,
  type PricePoint,
  type SignalKind,
  type BuiltinStrategyConfig as StrategyConfig,
} from '../../../src/core/strategies/index.ts';
import { NO_DETAILS, stockEvent } from '../../helpers/lambda-events.ts';

const MINUTE = 60_000;
const at = (i: number, stepMs = MINUTE) => new Date(Date.UTC(2020, 0, 1) + i * stepMs).toISOString();

/** The whole series in one strategy call, then the cooldown by brute force: what the engine must equal. */
function oneShot(strategy: StrategyConfig, points: PricePoint[], cooldownMs: number): string[] {
  const alerted: { signal: SignalKind; time: number }[] = [];
  const out: string[] = [];
  for (const signal of evaluateStrategy(strategy, points)) {
    const time = Date.parse(signal.timestamp);
    if (alerted.some((a) => a.signal === signal.signal && Math.abs(a.time - time) < cooldownMs)) continue;
    alerted.push({ signal: signal.signal, time });
    out.push(`${signal.timestamp} ${signal.signal} ${signal.price}`);
  }
  return out;
}

/** A deterministic wavy series with integer prices (ties included). */
function wave(length: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length }, (_, i) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return 100 + Math.round(10 * Math.sin(i / 4) + 4 * Math.sin(i / 1.7)) + (state % 5) - 2;
  });
}

const STRATEGIES: StrategyConfig[] = [
  { name: 'crossover', short: 5, long: 20 },
  { name: 'crossover', short: 2, long: 3 },
  { name: 'threshold', threshPct: 1, lookback: 5, smaWindow: 8, minPoints: 12, epsPct: 0.1 },
];

describe('backtest engine', () => {
  for (const strategy of STRATEGIES) {
    it(`equals one strategy call over the whole series across chunk boundaries (${JSON.stringify(strategy)})`, () => {
      const prices = wave(7000, 7);
      const points = prices.map((price, i) => ({ timestamp: at(i), price }));
      for (const cooldownMs of [0, 15 * MINUTE]) {
        const backtest = new Backtest(strategy, cooldownMs);
        for (const point of points) backtest.add({ symbol: 'X', ...point });
        const got = backtest.finish().alerts.map((a) => `${a.timestamp} ${a.signal} ${a.price}`);
        const expected = oneShot(strategy, points, cooldownMs);
        assert.ok(expected.length > 50, `the fixture raises only ${expected.length} alerts`);
        assert.deepEqual(got, expected);
      }
    });
  }

  it('keeps symbols apart: interleaved rows give each symbol its own alerts', () => {
    const strategy: StrategyConfig = { name: 'crossover', short: 3, long: 8 };
    const series = { A: wave(600, 1), B: wave(600, 2) };
    const backtest = new Backtest(strategy, 15 * MINUTE);
    for (let i = 0; i < 600; i++) {
      backtest.add({ symbol: 'A', timestamp: at(i), price: series.A[i] as number });
      backtest.add({ symbol: 'B', timestamp: at(i), price: series.B[i] as number });
    }
    const result = backtest.finish();
    for (const symbol of ['A', 'B'] as const) {
      const points = series[symbol].map((price, i) => ({ timestamp: at(i), price }));
      const got = result.alerts.filter((a) => a.symbol === symbol).map((a) => `${a.timestamp} ${a.signal} ${a.price}`);
      assert.deepEqual(got, oneShot(strategy, points, 15 * MINUTE));
    }
    assert.deepEqual(
      result.symbols.map((s) => [s.symbol, s.rows]),
      [
        ['A', 600],
        ['B', 600],
      ],
    );
  });

  it('refuses a row that is not later than the previous row of its symbol', () => {
    const backtest = new Backtest({ name: 'crossover', short: 2, long: 3 }, 0);
    backtest.add({ symbol: 'A', timestamp: at(1), price: 1 });
    backtest.add({ symbol: 'B', timestamp: at(0), price: 1 }); // another symbol may be earlier
    assert.throws(() => backtest.add({ symbol: 'A', timestamp: at(1), price: 2 }), OutOfOrderError);
    assert.throws(() => backtest.add({ symbol: 'A', timestamp: at(0), price: 2 }), /follows one at/);
  });

  it('reads BUY/SELL long-only: BUY opens when flat, SELL closes, an open position is valued at the last price', () => {
    // short 1 / long 2: BUY when a price rises after a fall or a tie, SELL the reverse. The second
    // SELL finds no position open and changes nothing.
    const prices = [10, 9, 10, 12, 11, 11, 8, 10, 15];
    const backtest = new Backtest({ name: 'crossover', short: 1, long: 2 }, 0);
    prices.forEach((price, i) => {
      backtest.add({ symbol: 'A', timestamp: at(i, 86_400_000), price });
    });
    const { alerts, symbols } = backtest.finish();
    assert.deepEqual(
      alerts.map((a) => `${a.signal} ${a.price}`),
      ['BUY 10', 'SELL 11', 'SELL 8', 'BUY 10'],
    );
    const [summary] = symbols;
    // 10 → 11 (+10 %), then 10 → 15 still open (+50 %): 1.1 × 1.5 = 1.65.
    assert.equal(summary?.return_pct, 65);
    assert.equal(summary?.buy_and_hold_pct, 50);
    assert.equal(summary?.trades, 1);
    assert.deepEqual([summary?.buy, summary?.sell, summary?.cooled_down], [2, 2, 0]);
  });
});

describe('cooldown', () => {
  it('suppresses exactly the signals a brute-force scan of every alert would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ minute: fc.integer({ min: 0, max: 300 }), buy: fc.boolean() }), { maxLength: 80 }),
        fc.integer({ min: 0, max: 30 }),
        (signals, windowMinutes) => {
          const cooldown = new Cooldown(windowMinutes * MINUTE);
          const alerted: { kind: SignalKind; time: number }[] = [];
          for (const { minute, buy } of signals) {
            const kind: SignalKind = buy ? 'BUY' : 'SELL';
            const time = minute * MINUTE;
            const expected = alerted.some((a) => a.kind === kind && Math.abs(a.time - time) < windowMinutes * MINUTE);
            assert.equal(cooldown.isCoolingDown(kind, at(minute)), expected);
            if (!expected) {
              cooldown.remember(kind, at(minute));
              alerted.push({ kind, time });
            }
          }
        },
      ),
    );
  });
});

describe('runBacktest', () => {
  it('stops on Ctrl+C without printing a partial result as if it were whole', async () => {
    const { runBacktest } = await import('../../../src/commands/backtest/run.ts');
    const { createCaptureIO } = await import('../../../src/ui/io.ts');
    const capture = createCaptureIO();
    const controller = new AbortController();
    let polls = 0;
    const code = await runBacktest(
      {
        file: 'x.ndjson',
        fileLabel: 'x.ndjson',
        fileFormat: 'ndjson',
        symbols: [],
        strategyConfig: { name: 'crossover', short: 2, long: 3 },
        strategy: builtinStrategy({ name: 'crossover', short: 2, long: 3 }),
        cooldownMinutes: 15,
        output: 'json',
      },
      {
        io: capture.io,
        signal: controller.signal,
        openSource: () => ({
          name: 'fake',
          async poll() {
            polls++;
            if (polls === 2) controller.abort();
            return { events: [{ ...EVENT, timestamp: at(polls) }] };
          },
        }),
      },
    );
    assert.equal(code, 130);
    assert.equal(capture.stdout(), '');
    assert.match(capture.stderr(), /^backtest stopped after 2 rows \(interrupted\): nothing printed\n$/);
  });
});

const EVENT = stockEvent({ ...NO_DETAILS, event_id: 'e', symbol: 'A', timestamp: '', price: 1, source: 'replay' });
