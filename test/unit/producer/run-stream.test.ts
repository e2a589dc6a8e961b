import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseStreamOptions } from '../../../src/commands/stream/options.ts';
import { runStream } from '../../../src/commands/stream/run.ts';
import type { StockEvent } from '../../../src/core/event.ts';
import { StreamStatus } from '../../../src/producer/status.ts';
import { createCaptureIO } from '../../../src/ui/io.ts';
import { validatedQuote } from './fixtures/yahoo.ts';

/** Any use of AWS fails the test. */
const noAws = {
  get: () => {
    throw new Error('a dry run must not create AWS clients');
  },
};

describe('runStream', () => {
  it('--dry-run with the yahoo source prints mapped events and creates no AWS client', async () => {
    const capture = createCaptureIO();
    let calls = 0;
    const code = await runStream(
      parseStreamOptions({ symbol: ['aapl', 'MSFT'], count: 2, interval: '0', dryRun: true }, process.cwd()),
      {
        io: capture.io,
        pipeline: { name: 'stockpipe' },
        clients: noAws,
        armNoDataAlarm: () => {
          throw new Error('a dry run must not arm the alarm');
        },
        signal: new AbortController().signal,
        quote: async (symbols) => {
          calls++;
          assert.deepEqual(symbols, ['AAPL', 'MSFT']);
          return [validatedQuote('AAPL'), validatedQuote('MSFT')];
        },
      },
    );
    assert.equal(code, 0);
    assert.equal(calls, 1);
    const events = capture
      .stdout()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as StockEvent);
    assert.deepEqual(
      events.map((event) => [event.symbol, event.source, event.price]),
      [
        ['AAPL', 'yahoo', 187.3],
        ['MSFT', 'yahoo', 187.3],
      ],
    );
  });
});

describe('runStream --source replay: the lake’s tables cover the file before it is sent', () => {
  function replayFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'sp-replay-'));
    const file = join(dir, 'aapl.csv');
    writeFileSync(
      file,
      ['Date,Open,High,Low,Close,Volume', '2015-03-02,1,1,1,10,5', '2015-01-02,1,1,1,11,5', ''].join('\n'),
    );
    return file;
  }

  it('asks to cover its oldest record first, then sends', async () => {
    const order: string[] = [];
    const kinesis = {
      send: async (command: { constructor: { name: string }; input: { Records?: unknown[] } }) => {
        order.push(command.constructor.name);
        if (command.constructor.name === 'DescribeStreamSummaryCommand') {
          return { StreamDescriptionSummary: { StreamStatus: 'ACTIVE' } };
        }
        const records = command.input.Records ?? [];
        return { FailedRecordCount: 0, Records: records.map((_, i) => ({ ShardId: 's', SequenceNumber: String(i) })) };
      },
    };
    const capture = createCaptureIO();
    const code = await runStream(
      parseStreamOptions({ source: 'replay', file: replayFile(), symbol: ['AAPL'] }, process.cwd()),
      {
        io: capture.io,
        pipeline: { name: 'stockpipe' },
        clients: { get: async () => kinesis as never },
        armNoDataAlarm: async () => async () => undefined,
        coverLake: async (oldest) => {
          order.push(`cover ${oldest}`);
          return ['stock_data_raw_monthly: partition projection widened from 2026-11 to 2015-01'];
        },
        signal: new AbortController().signal,
      },
    );
    assert.equal(code, 0, capture.stderr());
    // The file is out of order: the scan that sorts it also finds the oldest record.
    assert.deepEqual(order.slice(0, 3), [
      'DescribeStreamSummaryCommand',
      'cover 2015-01-02T20:00:00.000Z',
      'PutRecordsCommand',
    ]);
    assert.match(capture.stderr(), /widened from 2026-11 to 2015-01/);
  });

  it('a dry run covers nothing', async () => {
    const capture = createCaptureIO();
    const code = await runStream(
      parseStreamOptions({ source: 'replay', file: replayFile(), symbol: ['AAPL'], dryRun: true }, process.cwd()),
      {
        io: capture.io,
        pipeline: { name: 'stockpipe' },
        clients: noAws,
        armNoDataAlarm: () => {
          throw new Error('a dry run must not arm the alarm');
        },
        coverLake: () => {
          throw new Error('a dry run must not touch the lake’s tables');
        },
        signal: new AbortController().signal,
      },
    );
    assert.equal(code, 0, capture.stderr());
  });
});

describe('StreamStatus', () => {
  const event = (symbol: string, price: number, change_percent: number | null) =>
    ({ symbol, price, change_percent }) as StockEvent;

  it('shows sent, failed, rate and the last price per symbol with its change', () => {
    let now = 0;
    const capture = createCaptureIO({ tty: true });
    const status = new StreamStatus({
      io: capture.io,
      stats: () => ({ sent: 1500, failed: 2, retried: 7 }),
      now: () => now,
    });
    status.onEvent(event('AAPL', 187, 0.5));
    status.onEvent(event('AAPL', 187.3, 1.19));
    status.onEvent(event('MSFT', 401.5, -0.25));
    status.onEvent(event('IBM', 150, null));
    now = 3000;
    assert.equal(
      status.render(),
      'sent 1,500 · failed 2 · retried 7 · 500 ev/s · AAPL 187.30 +1.19% · MSFT 401.50 -0.25% · IBM 150.00',
    );
  });

  it('colours a rise green and a fall red when colour is on', () => {
    const capture = createCaptureIO({ tty: true, env: { FORCE_COLOR: '1' }, color: true });
    const status = new StreamStatus({
      io: capture.io,
      stats: () => ({ sent: 0, failed: 0, retried: 0 }),
      now: () => 1,
    });
    status.onEvent(event('AAPL', 1, 2));
    status.onEvent(event('MSFT', 1, -2));
    const line = status.render();
    assert.ok(line.includes(capture.io.style.green(' +2.00%')));
    assert.ok(line.includes(capture.io.style.red(' -2.00%')));
  });
});
