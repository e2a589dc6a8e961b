import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freshWorkdir, runBin } from './harness.ts';

// The README's first command, end to end: a spawned `stockpipe demo` in a fresh folder.
describe('stockpipe demo --duration 20s --json', () => {
  const { cwd, dispose } = freshWorkdir('demo');
  // A safety net: the demo stops its own stack.
  after(dispose);

  it('runs the whole pipeline offline, loses nothing, alerts both ways and cleans up', async () => {
    const started = Date.now();
    const { code, stdout, stderr } = await runBin(['demo', '--duration', '20s', '--json'], cwd, 120_000);
    const ranMs = Date.now() - started;
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '', '--json prints no decoration');

    const report = JSON.parse(stdout);
    assert.ok(report.produced > 100, `produced ${report.produced}`);
    assert.equal(report.produced, report.ingested + report.quarantined + report.superseded, 'nothing lost');
    assert.equal(report.superseded, 0, 'synthetic observations are all distinct');
    assert.equal(report.quarantined, 5, 'the five malformed records are quarantined');
    assert.equal(report.failed_to_send, 0);
    const signals = new Set(report.alerts.map((alert: { signal: string }) => alert.signal));
    assert.ok(signals.has('BUY') && signals.has('SELL'), `alerts: ${[...signals].join(', ')}`);
    for (const alert of report.alerts) {
      assert.ok(alert.symbol && alert.timestamp && alert.published_at && alert.message, JSON.stringify(alert));
    }
    // The latency figures are measured from the handlers' own timestamps; their goals are
    // tracked by `npm run bench -- e2e`, not asserted here (no wall-clock goals in tests). What
    // must hold whatever the machine: every event took some time, and none longer than the run.
    for (const key of ['event_to_store', 'event_to_alert']) {
      const figures = report.latency_ms[key];
      const shown = `${key}: ${JSON.stringify(figures)} in a run of ${ranMs} ms`;
      for (const figure of ['p50', 'p99', 'max']) assert.equal(typeof figures[figure], 'number', shown);
      assert.ok(figures.p50 > 0 && figures.p50 <= figures.p99 && figures.p99 <= figures.max, shown);
      assert.ok(figures.max < ranMs, shown);
    }
    assert.equal(report.latency_ms.event_to_store.count, report.ingested);
    assert.equal(report.latency_ms.event_to_alert.count, report.alerts.length);
    assert.ok(report.top_movers.length > 0, 'top movers from SQL');
    assert.ok('change' in report.top_movers[0] && 'symbol' in report.top_movers[0]);
    assert.equal(existsSync(join(cwd, '.stockpipe')), false, 'nothing left behind');
    assert.equal(report.stopped_early, false);
  });

  it('a pipeline kept with --keep is not deleted by the next demo without --yes', async () => {
    const kept = await runBin(['demo', '--duration', '5s', '--malformed', '0', '--keep', '--json'], cwd, 120_000);
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(JSON.parse(kept.stdout).kept, true);

    const again = await runBin(['demo', '--duration', '5s'], cwd, 60_000);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /kept by --keep \(stockpipe-demo\) is still here: pass --yes to start over/);
    assert.equal(again.stderr.trimEnd().split('\n').length, 1, 'one line');

    const status = await runBin(['status', '--name', 'stockpipe-demo', '--target', 'local', '--json'], cwd);
    assert.equal(status.code, 0, `the kept pipeline is untouched: ${status.stderr}`);
    const cleanup = await runBin(['cleanup', '--name', 'stockpipe-demo', '--target', 'local', '--yes'], cwd);
    assert.equal(cleanup.code, 0, cleanup.stderr);
  });
});
