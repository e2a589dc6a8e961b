import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from '../../src/aws/clients.ts';
import { ENTER_ALTERNATE_SCREEN, LEAVE_ALTERNATE_SCREEN } from '../../src/commands/watch/run.ts';
import { smaAt } from '../../src/core/sma.ts';
import { crossoverSignals } from '../../src/core/strategies/crossover.ts';
import { type AlertRecord, alertKey, onDemandTableKeys, type QuoteItem } from '../../src/core/tables.ts';
import { runCli, visibleWidth } from '../helpers/cli.ts';
import { NO_DETAILS, stockEvent } from '../helpers/lambda-events.ts';
import { waitFor } from '../helpers/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/stockpipe.js', import.meta.url));
const plain = (text: string) => stripVTControlCharacters(text);

import { type Emulators, startEmulators } from '../helpers/emulators.ts';

const QUOTES = 'stockpipe-quotes';
const ALERTS = 'stockpipe-alerts';
const HOUR = 3_600_000;

function quote(symbol: string, timestamp: string, price: number): QuoteItem {
  return {
    ...stockEvent({
      ...NO_DETAILS,
      event_id: `${symbol}-${timestamp}`,
      symbol,
      timestamp,
      price,
      volume: 1000,
      currency: 'USD',
      market_state: 'REGULAR',
    }),
    anomaly: false,
    ingested_at: timestamp,
    expires_at: 2_000_000_000,
  };
}

function alert(
  symbol: string,
  signal: 'BUY' | 'SELL' | 'ANOMALY',
  timestamp: string,
  published: number,
  price = 100,
): AlertRecord {
  return {
    symbol,
    alert_key: alertKey(timestamp, signal),
    signal,
    strategy: signal === 'ANOMALY' ? 'anomaly' : 'crossover',
    timestamp,
    price,
    indicators: { sma_short: 1, sma_long: 2 },
    message: `${signal} ${symbol}`,
    subject: `${signal} ${symbol} at ${price}`,
    language: 'en',
    published_at: new Date(published).toISOString(),
    expires_at: 2_000_000_000,
  };
}

/** 30 AAPL prices: a slow slide, then a rally, so SMA5 crosses above SMA20 once. */
const PRICES = [
  ...Array.from({ length: 22 }, (_, i) => 200 - i * 0.5),
  ...Array.from({ length: 8 }, (_, i) => 190 + i * 2),
];
const TIMES = PRICES.map((_, i) => new Date(Date.UTC(2026, 10, 22, 14, i)).toISOString());

describe('alerts and watch against dynalite', () => {
  let emulators: Emulators;
  let clients: AwsClients;
  const now = Date.now();
  let buy: { timestamp: string; price: number };

  before(async () => {
    emulators = await startEmulators({ dynamodb: true });
    clients = emulators.clients();
    const dynamodb = await clients.get('dynamodb');
    for (const [name, sort] of [
      [QUOTES, 'timestamp'],
      [ALERTS, 'alert_key'],
    ] as const) {
      await dynamodb.send(
        new CreateTableCommand({ TableName: name, ...onDemandTableKeys({ partition: 'symbol', sort }) }),
      );
    }
    const signals = crossoverSignals(
      PRICES.map((price, i) => ({ price, timestamp: TIMES[i] as string })),
      { short: 5, long: 20 },
    );
    assert.equal(signals.length, 1, 'the fixture holds exactly one crossover');
    buy = signals[0] as { timestamp: string; price: number };
    const documents = await clients.documentClient();
    const quotes = PRICES.map((price, i) => quote('AAPL', TIMES[i] as string, price));
    for (let i = 0; i < quotes.length; i += 25) {
      await documents.send(
        new BatchWriteCommand({
          RequestItems: { [QUOTES]: quotes.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    }
    const alerts = [
      alert('AAPL', 'BUY', buy.timestamp, now - HOUR, buy.price),
      alert('AAPL', 'SELL', '2026-11-22T10:00:00.000Z', now - 3 * HOUR),
      alert('MSFT', 'ANOMALY', '2026-11-22T13:00:00.000Z', now - HOUR / 2),
      alert('AAPL', 'SELL', '2026-11-20T10:00:00.000Z', now - 48 * HOUR),
    ];
    await documents.send(
      new BatchWriteCommand({ RequestItems: { [ALERTS]: alerts.map((Item) => ({ PutRequest: { Item } })) } }),
    );
  });
  after(async () => {
    await clients.destroy();
    await emulators.stop();
  });

  it('alerts --json lists the records published in the last day, newest first, with their fields', async () => {
    const { code, stdout, stderr } = await runCli(['alerts', '--json'], { env: emulators.env });
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    const records = JSON.parse(stdout) as AlertRecord[];
    assert.deepEqual(
      records.map((r) => [r.symbol, r.signal]),
      [
        ['MSFT', 'ANOMALY'],
        ['AAPL', 'BUY'],
        ['AAPL', 'SELL'],
      ],
    );
    const first = records[1] as AlertRecord;
    for (const field of [
      'symbol',
      'signal',
      'strategy',
      'timestamp',
      'price',
      'indicators',
      'message',
      'published_at',
    ]) {
      assert.ok(field in first, `record has ${field}`);
    }
    assert.equal(first.timestamp, buy.timestamp);
  });

  it('alerts --since is measured against published_at; --symbol narrows to one symbol', async () => {
    const week = JSON.parse((await runCli(['alerts', '--since', '3d', '--json'], { env: emulators.env })).stdout);
    assert.equal(week.length, 4);
    const twoHours = JSON.parse((await runCli(['alerts', '--since', '2h', '--json'], { env: emulators.env })).stdout);
    assert.deepEqual(
      twoHours.map((r: AlertRecord) => r.signal),
      ['ANOMALY', 'BUY'],
    );
    const aapl = JSON.parse(
      (await runCli(['alerts', '--symbol', 'aapl', '--since', '3d', '--json'], { env: emulators.env })).stdout,
    );
    assert.deepEqual(
      aapl.map((r: AlertRecord) => r.alert_key),
      [alertKey(buy.timestamp, 'BUY'), '2026-11-22T10:00:00.000Z#SELL', '2026-11-20T10:00:00.000Z#SELL'],
    );
  });

  it('alerts prints a table by default', async () => {
    const { code, stdout, stderr } = await runCli(['alerts'], { env: emulators.env });
    assert.equal(code, 0, stderr);
    const rows = stdout.split('\n').filter((line) => /MSFT|AAPL/.test(line));
    assert.equal(rows.length, 3);
    assert.match(rows[0] ?? '', /MSFT .*ANOMALY .*anomaly/);
    assert.match(rows[1] ?? '', new RegExp(`AAPL .*BUY .*crossover .*${buy.price} .*${buy.timestamp}`));
    assert.match(stderr, /3 alerts published since/);
  });

  it('alerts fits the terminal: no line wider than 60 or 120 columns, every alert still listed', async () => {
    for (const columns of [60, 120]) {
      const { code, stdout, stderr } = await runCli(['alerts'], { env: emulators.env, tty: true, columns });
      assert.equal(code, 0, stderr);
      const lines = stdout.trimEnd().split('\n');
      const widest = Math.max(...lines.map(visibleWidth));
      assert.ok(widest <= columns, `a line of ${widest} at ${columns} columns:\n${stdout}`);
      assert.equal(lines.filter((line) => /MSFT|AAPL/.test(line)).length >= 3, true, stdout);
    }
  });

  it('watch prints one plain snapshot when not on a terminal: price, SMAs and the alert marker', async () => {
    const { code, stdout, stderr } = await runCli(['watch', '--symbol', 'AAPL', '--symbol', 'MSFT'], {
      env: emulators.env,
    });
    assert.equal(code, 0, stderr);
    assert.ok(!stdout.includes('\u001b'), 'no escape codes off a terminal');
    const last = PRICES.length - 1;
    const sma5 = smaAt(PRICES, 5, last) as number;
    const sma20 = smaAt(PRICES, 20, last) as number;
    const header = stdout.split('\n').find((line) => line.startsWith('AAPL')) ?? '';
    assert.match(header, new RegExp(`^AAPL  ${(PRICES[last] as number).toFixed(2)}  `));
    assert.ok(header.includes(`SMA5 ${sma5.toFixed(2)}`), header);
    assert.ok(header.includes(`SMA20 ${sma20.toFixed(2)}`), header);
    assert.ok(header.endsWith('  30 points'), header);
    const chart = stdout.split('\n').filter((line) => line.includes('┤'));
    assert.equal(chart.length, 12);
    assert.equal(chart.join('').split('▲').length - 1, 1, 'one BUY marker in the chart');
    // The time axis under the chart: the day once, then times to the second.
    assert.match(stdout, /\n +2026-11-22 14:00:00 +14:29:00\n/);
    assert.ok(stdout.includes(`▲ BUY at ${buy.price.toFixed(2)} ${buy.timestamp.slice(11, 19)} (crossover)`), stdout);
    for (const line of stdout.split('\n')) assert.ok(line.length <= 80, `${line.length}: ${line}`);
    assert.match(stdout, /MSFT {2}no quotes yet/);
    assert.match(stdout, /┤/);
  });

  it('watch on a terminal redraws the chart until Ctrl+C, then exits 0', async () => {
    const controller = new AbortController();
    const frameStart = '\u001b[H\u001b[2J';
    // Ctrl+C once the second frame is complete (its footer printed): proves the redraw loop runs.
    const framesDrawn = (soFar: string) =>
      soFar.split(frameStart).filter((frame) => plain(frame).endsWith('to stop')).length;
    const { code, stdout, stderr } = await runCli(['watch', '--symbol', 'AAPL', '--interval', '1s'], {
      env: emulators.env,
      tty: true,
      columns: 70,
      signal: controller.signal,
      onStdout: (soFar) => {
        if (framesDrawn(soFar) >= 2) controller.abort('SIGINT');
      },
    });
    assert.equal(code, 0, stderr);
    assert.ok(stdout.startsWith(ENTER_ALTERNATE_SCREEN), 'the alternate screen is entered first');
    assert.ok(stdout.endsWith(LEAVE_ALTERNATE_SCREEN), 'and left last');
    const frames = stdout.slice(ENTER_ALTERNATE_SCREEN.length, -LEAVE_ALTERNATE_SCREEN.length).split(frameStart);
    assert.equal(frames.shift(), '');
    assert.ok(frames.length >= 2, `redrawn until Ctrl+C, got ${frames.length} frame(s)`);
    for (const coloured of frames) {
      const frame = plain(coloured);
      assert.match(frame, /^AAPL {2}204\.00/);
      assert.match(frame, /refreshed \d\d:\d\d:\d\dZ every 1s — q or Ctrl\+C to stop$/);
      for (const line of frame.split('\n')) assert.ok(line.length < 70, `no line wraps at 70 columns: ${line}`);
      assert.ok(frame.split('\n').length <= 24, 'the frame fits the 24-row screen');
    }
  });

  it('watch in a pseudo-terminal: alternate screen entered and left, q quits with exit 0', async () => {
    // script(1) runs the CLI on a real pseudo-terminal and passes our keystrokes to it.
    const command = [process.execPath, BIN, 'watch', '--symbol', 'AAPL', '--interval', '1s']
      .map((word) => `'${word}'`)
      .join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', TERM: 'xterm', COLUMNS: '80', LINES: '24', ...emulators.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => plain(output).includes('to stop'), 'the first frame');
      child.stdin.write('q');
      assert.equal(await exited, 0, output);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    assert.ok(output.includes(ENTER_ALTERNATE_SCREEN) && output.includes(LEAVE_ALTERNATE_SCREEN), output);
    // Every frame is drawn inside the alternate screen: nothing of it stays in the scrollback.
    const leftAt = output.lastIndexOf(LEAVE_ALTERNATE_SCREEN);
    assert.ok(output.indexOf(ENTER_ALTERNATE_SCREEN) < output.indexOf('AAPL'));
    assert.ok(output.lastIndexOf('refreshed') < leftAt);
    assert.doesNotMatch(plain(output.slice(leftAt)), /AAPL|refreshed/);
  });

  it('watch --json prints the snapshot data', async () => {
    const { code, stdout, stderr } = await runCli(['watch', '--symbol', 'AAPL', '--points', '10', '--json'], {
      env: emulators.env,
    });
    assert.equal(code, 0, stderr);
    const document = JSON.parse(stdout) as {
      symbols: {
        symbol: string;
        points: { price: number; sma_short: number; sma_long: number }[];
        alerts: unknown[];
      }[];
    };
    const [aapl] = document.symbols;
    assert.equal(aapl?.points.length, 10);
    // The long SMA exists from the first shown point: history before it was read too.
    aapl?.points.forEach((point, i) => {
      const index = PRICES.length - 10 + i;
      assert.equal(point.price, PRICES[index]);
      assert.equal(point.sma_long, smaAt(PRICES, 20, index));
      assert.equal(point.sma_short, smaAt(PRICES, 5, index));
    });
    assert.equal(aapl?.alerts.length, 1);
  });

  it('missing tables fail with a line that says to run setup; bad flags exit 2', async () => {
    const missing = await runCli(['alerts', '--name', 'other'], { env: emulators.env });
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      // No `stockpipe` on this test's PATH: the hint says `npx stockpipe`, which works after `npm ci`.
      'error: the alerts table other-alerts does not exist: run `npx stockpipe setup --name other` first\n',
    );
    const watchMissing = await runCli(['watch', '--symbol', 'AAPL', '--name', 'other'], { env: emulators.env });
    assert.equal(watchMissing.code, 1);
    assert.match(watchMissing.stderr, /quotes table other-quotes does not exist/);
    for (const argv of [
      ['watch'],
      ['watch', '--symbol', 'not a symbol'],
      ['watch', '--symbol', 'AAPL', '--short', '20', '--long', '5'],
      ['alerts', '--since', '-1d'],
      ['alerts', '--symbol', 'a b'],
    ]) {
      const result = await runCli(argv, { env: emulators.env });
      assert.equal(result.code, 2, argv.join(' '));
      assert.equal(result.stderr.trimEnd().split('\n').length, 1);
    }
  });
});
