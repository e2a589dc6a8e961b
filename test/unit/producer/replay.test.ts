import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type StockEvent, validateEvent } from '../../../src/core/event.ts';
import { deriveChange } from '../../../src/core/metrics.ts';
import {
  createReplaySource,
  orderReplayFile,
  replayFormat,
  skipVerdict,
  splitCsvLine,
  toTimestamp,
} from '../../../src/producer/replay.ts';
import { runCli } from '../../helpers/cli.ts';
import { requireSharedData, sharedDataFile } from '../../helpers/shared-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'stockpipe-replay-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function replayAll(path: string, options: { symbols?: string[]; speed?: number | 'max' } = {}) {
  const reports: string[] = [];
  const source = createReplaySource({
    file: path,
    format: replayFormat(path),
    symbols: options.symbols ?? ['AAPL'],
    speed: options.speed ?? 'max',
    report: (line) => reports.push(line),
  });
  const events: StockEvent[] = [];
  const delays: (number | undefined)[] = [];
  for (;;) {
    const poll = await source.poll(new AbortController().signal);
    events.push(...poll.events);
    delays.push(poll.delayMs);
    if (poll.done) break;
  }
  await source.close?.();
  return { events, reports, delays, skips: source.skips() };
}

describe('replay source', () => {
  it('turns a daily CSV into one event per row with close-of-day timestamps and previous_close', async () => {
    const path = file(
      'daily.csv',
      'Date,Open,High,Low,Close,Adj Close,Volume\n' +
        '2016-01-04,102.61,105.37,102.00,105.35,99.5,67649400\n' +
        '2016-01-05,105.75,105.85,102.41,102.71,97.0,55791000\n' +
        '2016-01-06,100.56,102.37,99.87,100.70,95.1,68457400\n',
    );
    const { events, reports } = await replayAll(path);
    assert.deepEqual(reports, []);
    assert.equal(events.length, 3);
    const [first, second, third] = events as [StockEvent, StockEvent, StockEvent];
    assert.deepEqual(
      { ...second, event_id: 'x' },
      {
        event_id: 'x',
        symbol: 'AAPL',
        timestamp: '2016-01-05T20:00:00.000Z',
        price: 102.71,
        open: 105.75,
        high: 105.85,
        low: 102.41,
        previous_close: 105.35,
        change: -2.64,
        change_percent: -2.51,
        volume: 55_791_000,
        currency: null,
        market_state: null,
        source: 'replay',
      },
    );
    assert.equal(first.previous_close, null);
    assert.equal(first.change, null);
    assert.equal(third.previous_close, 102.71);
    for (const event of events) assert.ok(validateEvent(event).ok);
    assert.equal(new Set(events.map((event) => event.event_id)).size, 3);
  });

  it('reads timestamp/price columns in any case and order, ignoring other columns', async () => {
    const path = file(
      'intraday.csv',
      'VOLUME,notes,PRICE,TimeStamp\n100,"a, b",10.5,2026-11-20T14:30:00Z\n200,,11,2026-11-20 14:31:00\n',
    );
    const { events } = await replayAll(path, { symbols: ['MSFT'] });
    assert.deepEqual(
      events.map((event) => [event.symbol, event.timestamp, event.price, event.volume, event.previous_close]),
      [
        ['MSFT', '2026-11-20T14:30:00.000Z', 10.5, 100, null],
        ['MSFT', '2026-11-20T14:31:00.000Z', 11, 200, 10.5],
      ],
    );
    assert.deepEqual({ change: events[1]?.change, change_percent: events[1]?.change_percent }, deriveChange(11, 10.5));
  });

  it('skips malformed rows with their line number and goes on', async () => {
    const path = file(
      'broken.csv',
      'date,close,volume\n2016-01-04,10,5\n2016-13-40,11,5\n2016-01-06,abc,5\n2016-01-07,-3,5\n2016-01-08,12,x\n\n2016-01-11,13,7\n',
    );
    const { events, reports, skips } = await replayAll(path);
    assert.deepEqual(
      events.map((event) => [event.timestamp.slice(0, 10), event.previous_close]),
      [
        ['2016-01-04', null],
        ['2016-01-11', 10],
      ],
    );
    // The first skip is said at once; the others are counted for the closing line.
    assert.equal(reports.length, 1);
    assert.match(reports[0] ?? '', /broken\.csv:3: skipped: unreadable date/);
    assert.deepEqual({ ...skips, first: skips.first?.slice(0, 7) }, { rows: 6, skipped: 4, first: 'line 3:' });
    assert.deepEqual(skipVerdict('broken.csv', skips), {
      failed: false,
      line: "skipped 4 of 6 rows of broken.csv (first: line 3: unreadable date/timestamp '2016-13-40')",
    });
  });

  it('a file whose every row is skipped is a failure, not an empty success', async () => {
    const path = file('nothing.csv', 'date,close\n2016-13-40,10\n2016-01-05,abc\n');
    const { events, skips } = await replayAll(path);
    assert.deepEqual(events, []);
    assert.deepEqual(skipVerdict('nothing.csv', skips), {
      failed: true,
      line: "every row of nothing.csv was skipped: 2 rows (first: line 2: unreadable date/timestamp '2016-13-40')",
    });
  });

  it('reads NDJSON as the ingest door does: times without milliseconds, numbers as text', async () => {
    const path = file(
      'door.ndjson',
      `${JSON.stringify({ symbol: 'aapl', timestamp: '2019-01-01T20:00:00Z', price: '10.5', volume: '100' })}\n` +
        `${JSON.stringify({ symbol: 'AAPL', timestamp: '2019-01-02 20:00:00', price: 11 })}\n` +
        `${JSON.stringify({ symbol: 'ſtock', timestamp: '2019-01-02T20:00:00Z', price: 11 })}\n`,
    );
    const { events, skips } = await replayAll(path, { symbols: [] });
    assert.deepEqual(
      events.map((event) => [event.symbol, event.timestamp, event.price, event.volume]),
      [
        ['AAPL', '2019-01-01T20:00:00.000Z', 10.5, 100],
        ['AAPL', '2019-01-02T20:00:00.000Z', 11, null],
      ],
    );
    assert.equal(skips.skipped, 1, 'the look-alike symbol is not a ticker');
  });

  it('replays NDJSON events with a fresh event_id, source replay, and derived change', async () => {
    const path = file(
      'events.ndjson',
      `${JSON.stringify({ event_id: 'old', symbol: 'AAPL', timestamp: '2026-11-20T14:30:00.000Z', price: 10, source: 'yahoo' })}\n` +
        `${JSON.stringify({ symbol: 'MSFT', timestamp: '2026-11-20T14:30:00.000Z', price: 20 })}\n` +
        'not json\n' +
        `${JSON.stringify({ symbol: 'AAPL', timestamp: '2026-11-20T14:31:00.000Z', price: 11 })}\n` +
        `${JSON.stringify({ symbol: 'AAPL', timestamp: 'yesterday', price: 11 })}\n`,
    );
    const { events, reports, skips } = await replayAll(path, { symbols: [] });
    assert.deepEqual(
      events.map((event) => [event.symbol, event.price, event.previous_close, event.change, event.source]),
      [
        ['AAPL', 10, null, null, 'replay'],
        ['MSFT', 20, null, null, 'replay'],
        ['AAPL', 11, 10, 1, 'replay'],
      ],
    );
    assert.notEqual(events[0]?.event_id, 'old');
    assert.deepEqual(
      reports.map((line) => line.replace(/^.*events\.ndjson:/, '')),
      ['3: skipped: not valid JSON'],
    );
    assert.deepEqual(skips, { rows: 5, skipped: 2, first: 'line 3: not valid JSON' });
    const onlyMsft = await replayAll(path, { symbols: ['MSFT'] });
    assert.deepEqual(
      onlyMsft.events.map((event) => event.symbol),
      ['MSFT'],
    );
  });

  it('paces by the file’s own gaps divided by --speed', async () => {
    const path = file(
      'paced.csv',
      'timestamp,price\n2026-11-20T14:30:00Z,1\n2026-11-20T14:30:10Z,2\n2026-11-20T14:30:40Z,3\n',
    );
    const { events, delays } = await replayAll(path, { speed: 10 });
    assert.equal(events.length, 3);
    assert.deepEqual(delays, [1000, 3000, undefined]);
  });

  it('parses dates, epochs and zone-less times as UTC', () => {
    assert.equal(toTimestamp('2015-02-17'), '2015-02-17T20:00:00.000Z');
    assert.equal(toTimestamp('2015-02-30'), undefined);
    assert.equal(toTimestamp('1763735400'), '2025-11-21T14:30:00.000Z');
    assert.equal(toTimestamp('2026-11-20 09:30:00-05:00'), '2026-11-20T14:30:00.000Z');
    assert.equal(toTimestamp('soon'), undefined);
    assert.deepEqual(splitCsvLine('a,"b, ""c""",d'), ['a', 'b, "c"', 'd']);
  });

  const aapl = sharedDataFile('aapl-daily-2015-2017.csv');
  it('replays the real AAPL daily file: one valid event per row, chained previous_close', {
    skip: aapl.skip,
  }, async () => {
    const { events, reports } = await replayAll(requireSharedData(aapl));
    assert.deepEqual(reports, []);
    assert.ok(events.length > 500);
    for (const [i, event] of events.entries()) {
      assert.ok(validateEvent(event).ok);
      assert.match(event.timestamp, /T20:00:00\.000Z$/);
      if (i > 0) assert.equal(event.previous_close, events[i - 1]?.price);
    }
  });
});

describe('replay files out of time order (issue 16: wrong previous_close, wrong alerts)', () => {
  const unsorted = () =>
    file(
      'unsorted.csv',
      ['Date,Close', '2024-01-03,12', '2024-01-01,10', 'garbage', '2024-01-04,13', '2024-01-02,11', ''].join('\n'),
    );

  it('stream --dry-run replays the rows sorted by time, derived from the true previous close', async () => {
    const path = unsorted();
    const result = await runCli(['stream', '--source', 'replay', '--file', path, '--symbol', 'AAPL', '--dry-run'], {
      cwd: dir,
    });
    assert.equal(result.code, 0, result.stderr);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as StockEvent);
    assert.deepEqual(
      events.map((event) => [event.timestamp.slice(0, 10), event.price, event.previous_close]),
      [
        ['2024-01-01', 10, null],
        ['2024-01-02', 11, 10],
        ['2024-01-03', 12, 11],
        ['2024-01-04', 13, 12],
      ],
    );
    assert.match(result.stderr, /not in time order per symbol: replaying its rows sorted by time/);
    assert.match(result.stderr, /unsorted\.csv:4: skipped/, 'a malformed row keeps its own line number');
  });

  it('refuses, before sending anything, a file larger than --sort-limit', async () => {
    const path = unsorted();
    const result = await runCli(
      ['stream', '--source', 'replay', '--file', path, '--symbol', 'AAPL', '--sort-limit', '10b', '--target', 'local'],
      { cwd: dir },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /line 3 \(AAPL 2024-01-01T20:00:00.000Z\) is older than line 2.*--sort-limit/);
  });

  it('leaves files in order per symbol as they are (interleaved symbols are fine)', async () => {
    const path = file(
      'interleaved.ndjson',
      [
        { symbol: 'MSFT', timestamp: '2024-01-02T00:00:00.000Z', price: 2 },
        { symbol: 'AAPL', timestamp: '2024-01-01T00:00:00.000Z', price: 1 },
        { symbol: 'MSFT', timestamp: '2024-01-03T00:00:00.000Z', price: 3 },
      ]
        .map((row) => JSON.stringify(row))
        .join('\n'),
    );
    assert.equal(await orderReplayFile({ file: path, format: 'ndjson', symbols: [] }, 1024), undefined);
    const out = file(
      'backwards.ndjson',
      [
        { symbol: 'MSFT', timestamp: '2024-01-03T00:00:00.000Z', price: 3 },
        { symbol: 'MSFT', timestamp: '2024-01-02T00:00:00.000Z', price: 2 },
      ]
        .map((row) => JSON.stringify(row))
        .join('\n'),
    );
    const lines = await orderReplayFile({ file: out, format: 'ndjson', symbols: [] }, 1024);
    assert.deepEqual(
      lines?.map((line) => line.lineNumber),
      [2, 1],
    );
  });

  it('reads numbers from CSV cells exactly as Number() does, whatever their shape', async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    // Decimals of every length the fast path takes, and shapes it hands to Number().
    const generated = Array.from({ length: 300 }, (_, i) => (random() * 10 ** (i % 9)).toFixed(i % 16));
    const values = [
      ...generated,
      '100.21',
      '+7',
      '0.000001',
      '123456789012345',
      '1234567890123456789',
      '1e3',
      ' 42.10 ',
      '.5',
      '5.',
      '0x10',
    ];
    const rows = values.map(
      (value, i) => `${new Date(Date.UTC(2016, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},1,${value}`,
    );
    const path = file('numbers.csv', `date,close,open\n${rows.join('\n')}\n`);
    const { events, skips } = await replayAll(path);
    assert.equal(skips.skipped, 0);
    assert.deepEqual(
      events.map((event) => event.open),
      values.map((value) => Number(value)),
    );
  });

  it('splits lines on \\n, \\r\\n and \\r alike', async () => {
    const path = file('endings.csv', 'date,close\r\n2016-01-04,10\r2016-01-05,11\n2016-01-06,12\r\n');
    const { events, skips } = await replayAll(path);
    assert.deepEqual(
      events.map((event) => [event.timestamp.slice(0, 10), event.price]),
      [
        ['2016-01-04', 10],
        ['2016-01-05', 11],
        ['2016-01-06', 12],
      ],
    );
    assert.equal(skips.skipped, 0);
  });
});
