import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chalk } from 'chalk';
import fc from 'fast-check';
import { planTail } from '../../../src/commands/tail/run.ts';
import { parseLogMessage, renderShort } from '../../../src/logs/render.ts';
import { type LogEvent, type LogEventSource, type LogWindow, mergeEvents } from '../../../src/logs/source.ts';
import { FOLLOW_LOOKBACK_MS, tailLogs } from '../../../src/logs/tail.ts';

const event = (id: string, timestamp: number, fn: 'ingest' | 'trends' = 'ingest'): LogEvent => ({
  id,
  fn,
  group: `/aws/lambda/stockpipe-${fn}`,
  stream: 's',
  timestamp,
  message: `m${id}`,
});

describe('mergeEvents', () => {
  it('property: output is time-ordered, holds every id once, and loses nothing', () => {
    const list = fc.array(fc.record({ id: fc.integer({ min: 0, max: 30 }).map(String), t: fc.nat(1000) }), {
      maxLength: 30,
    });
    fc.assert(
      fc.property(list, list, (a, b) => {
        const merged = mergeEvents([a.map((e) => event(e.id, e.t)), b.map((e) => event(e.id, e.t, 'trends'))]);
        for (let i = 1; i < merged.length; i++) {
          assert.ok((merged[i - 1] as LogEvent).timestamp <= (merged[i] as LogEvent).timestamp);
        }
        assert.equal(new Set(merged.map((e) => e.id)).size, merged.length);
        assert.deepEqual(new Set(merged.map((e) => e.id)), new Set([...a, ...b].map((e) => e.id)));
      }),
    );
  });
});

/** A source scripted poll by poll; records each window it was asked for. */
function scripted(polls: (LogEvent[] | Error)[]): LogEventSource & { windows: LogWindow[] } {
  const windows: LogWindow[] = [];
  return {
    windows,
    async read(window) {
      windows.push(window);
      const next = polls.shift() ?? [];
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

describe('tailLogs --follow', () => {
  it('polls every 1–2 s, backs off on ThrottlingException, and prints each event once', async () => {
    const controller = new AbortController();
    let clock = 100_000;
    const delays: number[] = [];
    const notices: string[] = [];
    const source = scripted([
      [event('a', 99_000), event('b', 99_500)],
      throttled(),
      throttled(),
      [event('a', 99_000), event('b', 99_500), event('c', 101_000)],
      [event('b', 99_500), event('c', 101_000)],
    ]);
    const shown: string[] = [];
    const end = await tailLogs(source, { since: 50_000, follow: true, lookbackMs: 30_000 }, (e) => shown.push(e.id), {
      signal: controller.signal,
      now: () => clock,
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
        clock += ms;
        if (delays.length === 5) controller.abort();
      },
      onNotice: (message) => notices.push(message),
    });
    assert.equal(end, 'stopped');
    assert.deepEqual(shown, ['a', 'b', 'c']);
    assert.deepEqual(delays, [1500, 2000, 4000, 1500, 1500], 'normal 1–2 s, doubling while throttled, reset after');
    assert.equal(notices.length, 2);
    assert.match(notices[0] ?? '', /throttling/);
    // Each poll looks back 30 s before the previous one started, never before --since.
    assert.deepEqual(
      source.windows.map((w) => w.startTime),
      [50_000, 100_000 - 30_000, 70_000, 70_000, 107_500 - 30_000],
    );
  });

  it(`by default each poll looks back ${FOLLOW_LOOKBACK_MS / 1000} s: CloudWatch ingests late events`, async () => {
    let clock = 1_000_000;
    const controller = new AbortController();
    const source = scripted([[event('a', 999_000)], [event('a', 999_000)], []]);
    await tailLogs(source, { since: 0, follow: true }, () => {}, {
      signal: controller.signal,
      now: () => clock,
      random: () => 0,
      sleep: async (ms) => {
        clock += ms;
        if (source.windows.length === 2) controller.abort();
      },
    });
    assert.ok(FOLLOW_LOOKBACK_MS >= 120_000);
    assert.deepEqual(
      source.windows.map((w) => w.startTime),
      [0, 1_000_000 - FOLLOW_LOOKBACK_MS],
    );
  });

  it('--idle-exit returns after that long without a new event', async () => {
    let clock = 0;
    const source = scripted([[event('a', 0)], [], [], [], [], []]);
    const end = await tailLogs(source, { since: 0, follow: true, idleExitMs: 3000 }, () => {}, {
      signal: new AbortController().signal,
      now: () => clock,
      random: () => 0,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    assert.equal(end, 'idle');
    assert.equal(clock, 3000);
  });

  it('other errors end the tail', async () => {
    const source = scripted([Object.assign(new Error('denied'), { name: 'AccessDeniedException' })]);
    await assert.rejects(
      tailLogs(source, { since: 0, follow: true }, () => {}, {
        signal: new AbortController().signal,
        sleep: async () => {},
      }),
      /denied/,
    );
  });
});

describe('log rendering', () => {
  const style = new Chalk({ level: 0 });
  it('understands Powertools JSON, Lambda platform lines, runtime errors and timeouts', () => {
    const json = parseLogMessage('{"level":"WARN","message":"slow","service":"x","ms":1200}');
    assert.equal(json.level, 'WARN');
    assert.equal(renderShort(event('1', 0), json, style), '00:00:00.000 ingest WARN  slow ms=1200');
    assert.equal(parseLogMessage('START RequestId: abc Version: $LATEST').platform, true);
    const runtime = parseLogMessage('2026-11-22T14:30:00.000Z\tabc-1\tERROR\tInvoke Error \t{"errorType":"Error"}');
    assert.equal(runtime.level, 'ERROR');
    assert.equal(runtime.fields.request_id, 'abc-1');
    assert.equal(parseLogMessage('2026-11-22T14:30:00.000Z abc Task timed out after 3.00 seconds').level, 'TIMEOUT');
    assert.equal(parseLogMessage('plain text').message, 'plain text');
  });

  it('reads the JSON log format as both targets write it: console records, error records, platform records', () => {
    const id = '8f5c1a2e-0000-4000-8000-000000000001';
    const consoleLine = parseLogMessage(
      `{"timestamp":"2026-11-22T14:30:00.000Z","level":"INFO","requestId":"${id}","message":"stored 5 quotes"}`,
    );
    assert.equal(renderShort(event('1', 0), consoleLine, style), '00:00:00.000 ingest INFO  stored 5 quotes');
    assert.equal(consoleLine.fields.requestId, id);
    const error = parseLogMessage(
      `{"timestamp":"2026-11-22T14:30:00.000Z","level":"ERROR","requestId":"${id}","message":{"errorType":"TypeError","errorMessage":"bad","stackTrace":["TypeError: bad"]}}`,
    );
    assert.equal(error.message, 'TypeError: bad');
    assert.equal(renderShort(event('1', 0), error, style).startsWith('00:00:00.000 ingest ERROR TypeError: bad'), true);
    const report = parseLogMessage(
      `{"time":"2026-11-22T14:30:00.000Z","type":"platform.report","record":{"requestId":"${id}","metrics":{"durationMs":12.5,"billedDurationMs":13,"memorySizeMB":512,"initDurationMs":180.2},"status":"success"}}`,
    );
    assert.equal(report.platform, true);
    assert.equal(renderShort(event('1', 0), report, style), '00:00:00.000 ingest       REPORT 12.5 ms');
  });
});

describe('tail flag validation', () => {
  const usage = (options: Parameters<typeof planTail>[0], pattern: RegExp) =>
    assert.throws(
      () => planTail(options, { now: 1_000_000, json: false }),
      (error: Error) => error.name === 'UsageError' && pattern.test(error.message),
    );
  it('rejects bad input', () => {
    usage({ fn: 'ingset' }, /unknown function 'ingset': use ingest, trends or all/);
    usage({ since: '-10m' }, /cannot be negative/);
    usage({ since: 'ten minutes' }, /invalid --since 'ten minutes'/);
    usage({ since: '2026-13-45T00:00:00Z' }, /not a valid ISO time/);
    usage({ idleExit: '1m' }, /--idle-exit applies to --follow/);
    usage({ follow: true, idleExit: 'soon' }, /--idle-exit/);
  });
  it('accepts relative and ISO --since', () => {
    assert.equal(planTail({ since: '10m' }, { now: 1_000_000, json: false }).since, 400_000);
    assert.equal(
      planTail({ since: '2026-11-22T14:00:00Z' }, { now: 0, json: false }).since,
      Date.parse('2026-11-22T14:00:00Z'),
    );
    assert.deepEqual(planTail({}, { now: 0, json: false }).functions, ['ingest', 'trends']);
    assert.equal(planTail({}, { now: 0, json: true }).format, 'json');
  });
});
