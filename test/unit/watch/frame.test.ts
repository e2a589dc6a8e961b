import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameLayout, renderFrame } from '../../../src/commands/watch/frame.ts';
import type { SymbolSnapshot, WatchPlan } from '../../../src/commands/watch/run.ts';
import { planWatch } from '../../../src/commands/watch/run.ts';
import { formatChange, quoteChange } from '../../../src/core/metrics.ts';
import { UsageError } from '../../../src/errors.ts';
import { createCaptureIO } from '../../../src/ui/io.ts';

const START = Date.UTC(2026, 11, 6, 13, 0, 0);

/** `count` points a second apart from START, a wave, with alerts at `alertAt`. */
function snapshot(symbol: string, count: number, alertAt: number[] = []): SymbolSnapshot {
  const points = Array.from({ length: count }, (_, i) => ({
    timestamp: new Date(START + i * 1000).toISOString(),
    price: 50 + Math.sin(i / 7) * 2,
    sma_short: 50,
    sma_long: i >= 19 ? 49.9 : null,
  }));
  const alerts = alertAt.map((i, n) => ({
    timestamp: points[i]?.timestamp as string,
    signal: n % 2 === 0 ? ('BUY' as const) : ('SELL' as const),
    strategy: 'crossover' as const,
    price: points[i]?.price as number,
    published_at: points[i]?.timestamp as string,
  }));
  return { symbol, change: 1.17, change_percent: 2.38, points, alerts };
}

const plan = (symbols: string[], points: number): WatchPlan => ({
  symbols,
  points,
  intervalMs: 5000,
  short: 5,
  long: 20,
});

describe('watch frame (issue 30)', () => {
  const { io } = createCaptureIO();

  it('any number of symbols fits 80×24: fewer per page, pages balanced, charts at least 3 high', () => {
    for (let symbols = 1; symbols <= 8; symbols++) {
      const { perPage, chartHeight } = frameLayout(symbols, 24);
      assert.ok(chartHeight >= 3, `${symbols} symbols: chart ${chartHeight} high`);
      const names = Array.from({ length: perPage }, (_, i) => `SYM${i}`);
      const frame = renderFrame(
        names.map((name) => snapshot(name, 60, [10, 40])),
        plan(names, 60),
        io,
        79,
        chartHeight,
      );
      // The refresh line comes under the frame.
      assert.ok(frame.length + 1 <= 24, `${symbols} symbols, ${perPage} a page: ${frame.length + 1} lines`);
      for (const line of frame) assert.ok(line.length <= 79, `${line.length}: ${line}`);
    }
    assert.deepEqual(frameLayout(4, 24), { perPage: 2, chartHeight: 7 });
  });

  it('the header is whole; the change is against the previous close; a time axis under the chart', () => {
    const frame = renderFrame([snapshot('AAPL', 60)], plan(['AAPL'], 60), io, 79, 12);
    assert.match(
      frame[0] ?? '',
      /^AAPL {2}\d+\.\d\d {2}\+1\.17 \(\+2\.38%\) {2}SMA5 50\.00 {2}SMA20 49\.90 {2}60 points$/,
    );
    const axis = frame[13] ?? '';
    assert.match(axis, /^ +2026-12-06 13:00:00 +13:00:59$/);
    assert.equal(axis.indexOf('2026'), (frame[1] ?? '').indexOf('┤') + 1, 'the axis starts under the first column');
  });

  it('--points 300 in 79 columns: every alert in view has its marker, each column a bucket of points', () => {
    const alertAt = [5, 120, 170, 299];
    const frame = renderFrame([snapshot('AAPL', 300, alertAt)], plan(['AAPL'], 300), io, 79, 12);
    const chart = frame.filter((line) => line.includes('┤')).join('\n');
    assert.equal(chart.split('▲').length - 1, 2, chart);
    assert.equal(chart.split('▼').length - 1, 2, chart);
    for (const line of frame) assert.ok(line.length <= 79, line);
    assert.match(frame.at(-2) ?? '', /^ {2}3 earlier · ▼ SELL at \d+\.\d\d 13:04:59 \(crossover\)$/);
  });

  it('a narrow window leaves out whole header parts, never half of one', () => {
    const [header] = renderFrame([snapshot('AAPL', 60)], plan(['AAPL'], 60), io, 40, 5);
    assert.match(header ?? '', /^AAPL {2}\S+ {2}\+1\.17 \(\+2\.38%\) {2}SMA5 50\.00$/);
  });

  it('one definition of change: the stored fields, else derived from previous_close', () => {
    assert.deepEqual(quoteChange({ price: 50.24, previous_close: 49.07, change: 1.17, change_percent: 2.38 }), {
      change: 1.17,
      change_percent: 2.38,
    });
    assert.deepEqual(quoteChange({ price: 50.24, previous_close: 49.07 }), { change: 1.17, change_percent: 2.38 });
    assert.deepEqual(quoteChange({ price: 50.24 }), { change: null, change_percent: null });
    assert.equal(formatChange({ change: 1.17, change_percent: 2.38 }), '+1.17 (+2.38%)');
    assert.equal(formatChange({ change: -0.4, change_percent: -0.79 }), '-0.40 (-0.79%)');
    assert.equal(formatChange({ change: null, change_percent: null }), undefined);
  });

  it('--from takes a real day, not after today (by the injected clock)', () => {
    const now = new Date(START);
    assert.equal(planWatch({ symbol: ['AAPL'], from: '2026-12-01' }, now).from, '2026-12-01');
    assert.equal(planWatch({ symbol: ['AAPL'], from: '2026-12-01' }, now).points, 500);
    assert.throws(() => planWatch({ symbol: ['AAPL'], from: '2026-12-07' }, now), UsageError);
    assert.throws(() => planWatch({ symbol: ['AAPL'], from: '2026-02-30' }, now), /YYYY-MM-DD/);
  });
});
