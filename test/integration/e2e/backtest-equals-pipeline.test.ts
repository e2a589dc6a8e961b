/**
 * `stockpipe backtest` and a replay through the local pipeline give exactly the same alerts on
 * the same file: the real AAPL daily bars with the default crossover, and generated minute bars
 * of three symbols with the threshold strategy, where the 15-minute cooldown suppresses many
 * signals (so the cooldown is compared too, not only the strategy); and each example strategy
 * file of examples/strategies, bundled by backtest and by `setup --strategy <file>` alike.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { requireSharedData, sharedDataFile } from '../../helpers/shared-data.ts';
import { freshWorkdir, REPO_ROOT, runBinOk, waitForDrain } from './harness.ts';

const AAPL = sharedDataFile('aapl-daily-2015-2017.csv');

interface Alert {
  symbol: string;
  timestamp: string;
  signal: string;
  strategy: string;
  price: number;
}

const key = (alert: Alert) => `${alert.symbol} ${alert.timestamp} ${alert.signal} ${alert.strategy} ${alert.price}`;

/** The pipeline's alerts after setup → replay at max speed → drain; the stack is cleaned up after. */
async function pipelineAlerts(cwd: string, strategyFlags: string[], replayFlags: string[], rows: number) {
  await runBinOk(['setup', '--target', 'local', '--yes', ...strategyFlags], cwd);
  const stream = await runBinOk(['stream', '--target', 'local', '--source', 'replay', ...replayFlags], cwd);
  assert.match(stream.stdout, new RegExp(`sent ${rows} · failed 0`));
  await waitForDrain(cwd, rows, 120_000);
  const alerts = await runBinOk(['alerts', '--target', 'local', '--json', '--since', '3650d'], cwd);
  await runBinOk(['cleanup', '--target', 'local', '--yes'], cwd);
  return (JSON.parse(alerts.stdout) as Alert[]).map(key).sort();
}

async function backtestResult(cwd: string, strategyFlags: string[], replayFlags: string[]) {
  const result = await runBinOk(['backtest', ...replayFlags, ...strategyFlags, '--format', 'json'], cwd);
  return JSON.parse(result.stdout) as { rows: number; alerts: Alert[]; symbols: { cooled_down: number }[] };
}

/** Minute bars of several symbols, interleaved by time: waves with noise, enough to trip the threshold often. */
function minuteBars(symbols: string[], minutes: number): string {
  let seed = 17;
  const noise = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return ((seed % 1000) - 500) / 1000;
  };
  const start = Date.UTC(2021, 2, 1, 14, 30);
  const lines: string[] = [];
  for (let i = 0; i < minutes; i++) {
    const timestamp = new Date(start + i * 60_000).toISOString();
    symbols.forEach((symbol, s) => {
      const price = Number((100 + 10 * s + 3 * Math.sin(i / (7 + s)) + noise()).toFixed(2));
      lines.push(JSON.stringify({ symbol, timestamp, price, volume: 100 + i }));
    });
  }
  return `${lines.join('\n')}\n`;
}

describe('backtest equals a replay through the local pipeline', () => {
  const real = freshWorkdir('backtest-eq-aapl');
  after(() => real.dispose());

  it('AAPL daily bars 2015–2017, crossover SMA 5/20', { skip: AAPL.skip }, async () => {
    const replay = ['--file', requireSharedData(AAPL), '--symbol', 'AAPL'];
    const backtest = await backtestResult(real.cwd, [], replay);
    assert.ok(backtest.alerts.length > 10, `only ${backtest.alerts.length} alerts`);
    const pipeline = await pipelineAlerts(real.cwd, [], replay, backtest.rows);
    assert.deepEqual(backtest.alerts.map(key).sort(), pipeline);
  });

  // The examples docs/strategies.md shows: CI backtests each, and the pipeline must agree.
  for (const [example, name] of [
    ['rsi.mjs', 'rsi'],
    ['breakout.ts', 'breakout'],
  ] as const) {
    const work = freshWorkdir(`backtest-eq-${name}`);
    after(() => work.dispose());
    it(`AAPL daily bars 2015–2017, examples/strategies/${example}`, { skip: AAPL.skip }, async () => {
      const replay = ['--file', requireSharedData(AAPL), '--symbol', 'AAPL'];
      const strategy = ['--strategy', join(REPO_ROOT, 'examples', 'strategies', example)];
      const backtest = await backtestResult(work.cwd, strategy, replay);
      assert.ok(backtest.alerts.length > 10, `only ${backtest.alerts.length} alerts`);
      assert.ok(backtest.alerts.every((alert) => alert.strategy === name));
      const pipeline = await pipelineAlerts(work.cwd, strategy, replay, backtest.rows);
      assert.deepEqual(backtest.alerts.map(key).sort(), pipeline);
    });
  }

  const generated = freshWorkdir('backtest-eq-threshold');
  after(() => generated.dispose());

  it('minute bars of three symbols, threshold strategy, cooldown at work', async () => {
    const file = join(generated.cwd, 'minutes.ndjson');
    // 1,200 rows: several PutRecords calls, which the producer runs in parallel. Before each
    // symbol had its own lane (src/producer/batcher.ts), a symbol's events could reach the stream
    // out of order and the pipeline, evaluating in arrival order, missed a signal one run in two.
    writeFileSync(file, minuteBars(['AAA', 'BBB', 'CCC'], 400));
    const strategy = ['--strategy', 'threshold', '--thresh-pct', '1', '--lookback', '5', '--sma-window', '8'];
    const replay = ['--file', file];
    const backtest = await backtestResult(generated.cwd, strategy, replay);
    assert.equal(backtest.rows, 1200);
    const cooled = backtest.symbols.reduce((sum, s) => sum + s.cooled_down, 0);
    // The fixture is what it claims: many alerts, and the cooldown suppressed many more signals.
    assert.ok(backtest.alerts.length >= 25, `only ${backtest.alerts.length} alerts`);
    assert.ok(cooled >= 30, `the cooldown suppressed only ${cooled} signals`);
    const pipeline = await pipelineAlerts(generated.cwd, strategy, replay, backtest.rows);
    assert.deepEqual(backtest.alerts.map(key).sort(), pipeline);
  });
});
