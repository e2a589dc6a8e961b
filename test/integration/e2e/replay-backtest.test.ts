/**
 * Replay backtest (issue 7): a daily CSV replayed at --speed max through a local pipeline with
 * the crossover strategy (SMA 5/20) raises exactly the crossings an independent recomputation
 * finds — none missed inside a batch, none twice, none suppressed. The recomputation is brute
 * force in exact integer arithmetic on the CSV's decimal text (no src/core code): short crosses
 * above long at i when 4·Σ5(i−1) ≤ Σ20(i−1) and 4·Σ5(i) > Σ20(i) (SMA5 = Σ5/5, SMA20 = Σ20/20),
 * and below the other way round. Daily bars are a day apart in data time, so the 15-minute
 * cooldown never applies, and replayed points are exempt from staleness: every crossing alerts.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { requireSharedData, sharedDataFile } from '../../helpers/shared-data.ts';
import { freshWorkdir, runBinOk, waitForDrain } from './harness.ts';

const SHORT = 5;
const LONG = 20;
const aapl = sharedDataFile('aapl-daily-2015-2017.csv');

interface Bar {
  date: string;
  close: string;
}

/** Rows of a date,…,close CSV (header first). */
function readBars(file: string): Bar[] {
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const columns = (header as string).split(',').map((name) => name.trim().toLowerCase());
  const date = columns.indexOf('date');
  const close = columns.indexOf('close');
  return rows
    .filter((row) => row.trim() !== '')
    .map((row) => {
      const cells = row.split(',');
      return { date: (cells[date] as string).trim(), close: (cells[close] as string).trim() };
    });
}

/** A decimal text as an integer count of 10^-scale units (exact, unlike a float). */
function scaled(text: string, scale: number): bigint {
  const [whole, fraction = ''] = text.split('.');
  assert.ok(fraction.length <= scale, `${text} has more than ${scale} decimals`);
  return BigInt(`${whole}${fraction.padEnd(scale, '0')}`);
}

/**
 * Every SMA crossing, as "<timestamp> <BUY|SELL>", by summing both windows at every index; and
 * how many of them start from a tie (both SMAs exactly equal the point before).
 */
function expectedCrossings(bars: Bar[]): { crossings: string[]; fromTies: number } {
  const scale = Math.max(...bars.map((bar) => bar.close.split('.')[1]?.length ?? 0));
  const prices = bars.map((bar) => scaled(bar.close, scale));
  const sum = (window: number, end: number) => {
    let total = 0n;
    for (let i = end - window + 1; i <= end; i++) total += prices[i] as bigint;
    return total;
  };
  // compare(SMA5, SMA20) at `end`: sign of Σ5/5 − Σ20/20, i.e. of 4·Σ5 − Σ20.
  const compare = (end: number) => {
    const difference = BigInt(LONG / SHORT) * sum(SHORT, end) - sum(LONG, end);
    return difference > 0n ? 1 : difference < 0n ? -1 : 0;
  };
  const crossings: string[] = [];
  let fromTies = 0;
  for (let i = LONG; i < prices.length; i++) {
    const before = compare(i - 1);
    const now = compare(i);
    const timestamp = `${(bars[i] as Bar).date}T20:00:00.000Z`;
    if (before <= 0 && now > 0) crossings.push(`${timestamp} BUY`);
    else if (before >= 0 && now < 0) crossings.push(`${timestamp} SELL`);
    else continue;
    if (before === 0) fromTies++;
  }
  return { crossings, fromTies };
}

/**
 * Whole-dollar closes over consecutive days: two waves and some deterministic noise (many
 * crossings, several per ingest batch), and flat stretches where both SMAs are exactly equal, so
 * the ≤ / ≥ edge of a crossing is exercised too.
 */
function generatedCsv(days: number): string {
  let seed = 20_151_117;
  const noise = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return (seed % 5) - 2;
  };
  const start = Date.UTC(2000, 0, 3);
  const lines = ['date,open,high,low,close,volume'];
  for (let i = 0; i < days; i++) {
    const date = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    const flat = i % 250 >= 200 && i % 250 < 230;
    const close = flat ? 100 : 100 + Math.round(12 * Math.sin(i / 3) + 5 * Math.sin(i / 1.3)) + noise();
    lines.push(`${date},${close},${close + 1},${close - 1},${close},${1000 + i}`);
  }
  return `${lines.join('\n')}\n`;
}

interface AlertRecord {
  symbol: string;
  alert_key: string;
  signal: string;
  strategy: string;
  timestamp: string;
}

/** setup → replay at max speed → drain → the recorded alerts, the lake's row count; then cleanup. */
async function backtest(cwd: string, csv: string, rows: number): Promise<{ alerts: AlertRecord[]; stored: number }> {
  await runBinOk(['setup', '--target', 'local', '--strategy', 'crossover', '--yes'], cwd);
  const stream = await runBinOk(
    ['stream', '--target', 'local', '--source', 'replay', '--file', csv, '--symbol', 'AAPL', '--speed', 'max'],
    cwd,
  );
  assert.match(stream.stdout, new RegExp(`sent ${rows} · failed 0`));
  await waitForDrain(cwd, rows);
  const alerts = await runBinOk(['alerts', '--target', 'local', '--json', '--since', '3650d'], cwd);
  const count = await runBinOk(
    [
      'query',
      'sql',
      "SELECT count(*) AS n FROM stock_data_table WHERE symbol = 'AAPL'",
      '--target',
      'local',
      '--format',
      'json',
    ],
    cwd,
  );
  const cleanup = await runBinOk(['cleanup', '--target', 'local', '--yes'], cwd);
  assert.match(cleanup.stderr + cleanup.stdout, /Local stack stopped/);
  return {
    alerts: JSON.parse(alerts.stdout) as AlertRecord[],
    stored: Number((JSON.parse(count.stdout) as { n: number | string }[])[0]?.n),
  };
}

function assertExactly(alerts: AlertRecord[], expected: string[]): void {
  assert.ok(alerts.every((alert) => alert.symbol === 'AAPL' && alert.strategy === 'crossover'));
  const keys = alerts.map((alert) => `${alert.symbol} ${alert.alert_key}`);
  assert.equal(new Set(keys).size, keys.length, 'an alert recorded twice');
  const got = alerts.map((alert) => `${alert.timestamp} ${alert.signal}`).sort();
  const missed = expected.filter((crossing) => !got.includes(crossing));
  const extra = got.filter((crossing) => !expected.includes(crossing));
  assert.deepEqual({ missed, extra }, { missed: [], extra: [] });
  assert.equal(got.length, expected.length);
}

describe('replay backtest: the local pipeline raises exactly the SMA 5/20 crossings of a daily CSV', () => {
  const generated = freshWorkdir('backtest');
  after(() => generated.dispose());

  it('a generated CSV with many crossings, ties included', async () => {
    const csv = join(generated.cwd, 'generated-daily.csv');
    writeFileSync(csv, generatedCsv(1500));
    const bars = readBars(csv);
    const { crossings: expected, fromTies } = expectedCrossings(bars);
    // The fixture is what it claims to be: many crossings of both kinds, several per batch of 100.
    assert.ok(expected.length >= 100, `only ${expected.length} crossings`);
    assert.ok(expected.some((crossing) => crossing.endsWith('BUY')) && expected.some((c) => c.endsWith('SELL')));
    assert.ok(fromTies >= 2, `only ${fromTies} crossings from a tie`);
    const { alerts, stored } = await backtest(generated.cwd, csv, bars.length);
    assert.equal(stored, bars.length);
    assertExactly(alerts, expected);
  });

  const real = freshWorkdir('backtest-aapl');
  after(() => real.dispose());

  it('the AAPL daily closes 2015–2017', {
    skip: aapl.skip,
  }, async () => {
    const csv = requireSharedData(aapl);
    const bars = readBars(csv);
    const { crossings: expected } = expectedCrossings(bars);
    assert.ok(expected.length > 10);
    const { alerts, stored } = await backtest(real.cwd, csv, bars.length);
    assert.equal(stored, bars.length);
    assertExactly(alerts, expected);
  });
});
