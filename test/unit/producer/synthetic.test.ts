import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validateEvent } from '../../../src/core/event.ts';
import { deriveChange } from '../../../src/core/metrics.ts';
import { crossoverSignals } from '../../../src/core/strategies/index.ts';
import { createSyntheticSource, DRIFTS, SYNTHETIC_DEFAULTS } from '../../../src/producer/synthetic.ts';

const controller = new AbortController();

async function series(options: Partial<Parameters<typeof createSyntheticSource>[0]> & { ticks: number }) {
  let now = Date.parse('2026-11-20T14:30:00.000Z');
  const source = createSyntheticSource({
    ...SYNTHETIC_DEFAULTS,
    symbols: ['AAPL', 'MSFT'],
    now: () => now,
    ...options,
  });
  const events = [];
  for (let i = 0; i < options.ticks; i++) {
    events.push(...(await source.poll(controller.signal)).events);
    now += 1000;
  }
  return events;
}

describe('synthetic source', () => {
  it('produces contract-valid events with change derived from previous_close', async () => {
    const events = await series({ ticks: 50, spikeEvery: 10 });
    assert.equal(events.length, 100);
    for (const event of events) {
      const result = validateEvent(event);
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(deriveChange(event.price, event.previous_close), {
        change: event.change,
        change_percent: event.change_percent,
      });
      assert.ok((event.low as number) <= event.price && event.price <= (event.high as number));
    }
    assert.equal(new Set(events.map((event) => event.event_id)).size, 100);
  });

  it('is reproducible for a seed and differs between seeds', async () => {
    const prices = async (seed: number) => (await series({ ticks: 30, seed })).map((event) => event.price);
    assert.deepEqual(await prices(7), await prices(7));
    assert.notDeepEqual(await prices(7), await prices(8));
  });

  it('gives each symbol strictly increasing timestamps even with no wait between polls', async () => {
    const events = await series({ ticks: 20, now: () => 1_700_000_000_000 });
    const aapl = events.filter((event) => event.symbol === 'AAPL').map((event) => Date.parse(event.timestamp));
    for (let i = 1; i < aapl.length; i++) assert.ok((aapl[i] as number) > (aapl[i - 1] as number));
  });

  it('raises SMA-5/SMA-20 crossovers of both kinds within the first 120 ticks for any seed and drift', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(...DRIFTS), async (seed, drift) => {
        const events = await series({ ticks: 120, seed, drift });
        for (const symbol of ['AAPL', 'MSFT']) {
          const points = events.filter((event) => event.symbol === symbol);
          const kinds = new Set(crossoverSignals(points, { short: 5, long: 20 }).map((signal) => signal.signal));
          assert.deepEqual([...kinds].sort(), ['BUY', 'SELL'], `seed ${seed} drift ${drift} ${symbol}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('drifts in the direction asked for', async () => {
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const last = async (drift: 'up' | 'down') =>
      mean((await series({ ticks: 400, drift, basePrice: 100 })).slice(-40).map((event) => event.price));
    assert.ok((await last('up')) > 100 && (await last('down')) < 100);
  });

  it('spikes by the asked size every N ticks', async () => {
    const calm = await series({ ticks: 10, volatilityPct: 0, basePrice: 100, symbols: ['AAPL'] });
    const spiky = await series({ ticks: 10, volatilityPct: 0, basePrice: 100, symbols: ['AAPL'], spikeEvery: 5 });
    const ratio = (spiky[4]?.price as number) / (calm[4]?.price as number);
    assert.ok(Math.abs(Math.abs(ratio - 1) - 0.06) < 0.001, `ratio ${ratio}`);
    assert.equal(spiky[3]?.price, calm[3]?.price);
    assert.equal(spiky[5]?.price, calm[5]?.price);
  });
});
