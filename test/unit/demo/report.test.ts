import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DemoReport, printReport } from '../../../src/commands/demo/render.ts';
import { describeAlert } from '../../../src/commands/demo/run.ts';
import type { AlertRecord } from '../../../src/core/tables.ts';
import { createCaptureIO } from '../../../src/ui/io.ts';

const alert: AlertRecord = {
  symbol: 'MSFT',
  alert_key: '2026-12-06T13:36:58.551Z#SELL',
  signal: 'SELL',
  strategy: 'crossover',
  timestamp: '2026-12-06T13:36:58.551Z',
  price: 436.44,
  indicators: {},
  message: '',
  subject: 'stockpipe SELL MSFT at 436.44: short SMA crossed below long SMA',
  language: 'en',
  published_at: '2026-12-06T13:36:59.651Z',
  expires_at: 0,
};

const report = (stackStopped: boolean): DemoReport => ({
  pipeline: 'stockpipe-demo',
  duration_ms: 61_000,
  symbols: ['AAPL', 'MSFT', 'NVDA', 'TSLA'],
  produced: 1214,
  ingested: 1200,
  quarantined: 14,
  superseded: 0,
  failed_to_send: 0,
  drained: true,
  alerts: [alert],
  latency_ms: {
    event_to_store: { p50: 651, p99: 1300, max: 1400, count: 1200 },
    event_to_alert: { p50: 1400, p99: 2100, max: 2100, count: 1 },
  },
  top_movers: [],
  kept: false,
  stack_stopped: stackStopped,
  stopped_early: true,
});

describe('demo lines at 80 columns (issue 30)', () => {
  it('an alert line fits, its latency left out when it would not', () => {
    const { io } = createCaptureIO();
    assert.equal(describeAlert(io, alert, 80), '▼ SELL MSFT at 436.44: short SMA crossed below long SMA (1.1s later)');
    assert.equal(describeAlert(io, alert, 60), '▼ SELL MSFT at 436.44: short SMA crossed below long SMA');
    assert.ok(describeAlert(io, alert, 30).length <= 30);
  });

  it('the report says what was removed: the stack only when no other pipeline was left on it', () => {
    for (const stopped of [true, false]) {
      const capture = createCaptureIO();
      printReport(capture.io, report(stopped), true);
      const out = capture.stdout();
      // The suggested commands are laid out by the suggestion helper (issue 30, its own part).
      const ours = out.split('\n').filter((line) => !/^(Same pipeline on AWS|Kept running)/.test(line));
      for (const line of ours) assert.ok(line.length <= 80, `${line.length}: ${line}`);
      if (stopped) assert.match(out, /the pipeline and the local stack are gone/);
      else {
        assert.doesNotMatch(out, /stack (is|are) gone/);
        assert.match(
          out,
          /the demo pipeline is gone .*\nThe local stack keeps running: other local pipelines use it\./,
        );
      }
    }
  });
});
