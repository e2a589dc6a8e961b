import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { expectUsageError, runCli } from '../../helpers/cli.ts';

// No endpoint, no credentials: a backtest needs neither, and any network call would fail.
const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };

const dir = mkdtempSync(join(tmpdir(), 'stockpipe-backtest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Daily closes: a fall, a rise, a fall — with SMA 2/4, one BUY and one SELL. */
const CLOSES = [10, 9, 8, 7, 6, 7, 9, 12, 14, 13, 11, 8, 6];
const day = (i: number) => new Date(Date.UTC(2016, 0, 4) + i * 86_400_000).toISOString().slice(0, 10);
const csvLines = [
  'Date,Open,High,Low,Close,Adj Close,Volume',
  ...CLOSES.map((c, i) => `${day(i)},${c},${c},${c},${c},${c},100`),
];
const sorted = join(dir, 'daily.csv');
writeFileSync(sorted, `${csvLines.join('\n')}\n`);
const unsorted = join(dir, 'unsorted.csv');
writeFileSync(unsorted, `${[csvLines[0], csvLines[1], csvLines[3], csvLines[2], ...csvLines.slice(4)].join('\n')}\n`);
const ndjson = join(dir, 'events.ndjson');
writeFileSync(
  ndjson,
  `${CLOSES.flatMap((c, i) => [
    JSON.stringify({ symbol: 'AAA', timestamp: `${day(i)}T20:00:00.000Z`, price: c }),
    JSON.stringify({ symbol: 'BBB', timestamp: `${day(i)}T20:00:00.000Z`, price: 20 - c }),
  ]).join('\n')}\n`,
);

describe('backtest', () => {
  it('prints the alerts and a long-only summary as one JSON document', async () => {
    const { code, stdout, stderr } = await runCli(
      [
        'backtest',
        '--file',
        'daily.csv',
        '--symbol',
        'aapl',
        '--sma-short',
        '2',
        '--sma-long',
        '4',
        '--format',
        'json',
      ],
      { env, cwd: dir },
    );
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.deepEqual(
      result.alerts.map((a: { signal: string; timestamp: string; price: number }) => [a.signal, a.timestamp, a.price]),
      [
        ['BUY', `${day(6)}T20:00:00.000Z`, 9],
        ['SELL', `${day(10)}T20:00:00.000Z`, 11],
      ],
    );
    assert.deepEqual(result.symbols, [
      {
        symbol: 'AAPL',
        rows: 13,
        from: `${day(0)}T20:00:00.000Z`,
        to: `${day(12)}T20:00:00.000Z`,
        buy: 1,
        sell: 1,
        cooled_down: 0,
        trades: 1,
        return_pct: 22.22,
        buy_and_hold_pct: -40,
      },
    ]);
    assert.equal(result.rows, 13);
    assert.equal(stderr, '');
  });

  it('--format csv: the alerts as CSV on stdout, the summary on stderr', async () => {
    const { code, stdout, stderr } = await runCli(
      ['backtest', '--file', sorted, '--symbol', 'AAPL', '--sma-short', '2', '--sma-long', '4', '--format', 'csv'],
      { env, cwd: dir },
    );
    assert.equal(code, 0, stderr);
    assert.equal(
      stdout,
      `symbol,timestamp,signal,strategy,price\r\nAAPL,${day(6)}T20:00:00.000Z,BUY,crossover,9\r\nAAPL,${day(10)}T20:00:00.000Z,SELL,crossover,11\r\n`,
    );
    assert.match(stderr, /long-only change %/);
    assert.match(stderr, /13 rows of 1 symbol · 2 alerts/);
  });

  it('NDJSON of several symbols: each symbol its own series, --symbol filters', async () => {
    const all = await runCli(['backtest', '--file', ndjson, '--sma-short', '2', '--sma-long', '4', '--json'], {
      env,
      cwd: dir,
    });
    assert.equal(all.code, 0, all.stderr);
    const result = JSON.parse(all.stdout);
    assert.deepEqual(
      result.symbols.map((s: { symbol: string; buy: number; sell: number }) => [s.symbol, s.buy, s.sell]),
      [
        ['AAA', 1, 1],
        ['BBB', 1, 1],
      ],
    );
    const one = await runCli(['backtest', '--file', ndjson, '--symbol', 'BBB', '--json'], { env, cwd: dir });
    assert.deepEqual(
      JSON.parse(one.stdout).symbols.map((s: { symbol: string }) => s.symbol),
      ['BBB'],
    );
  });

  it('a table by default, with the summary', async () => {
    const { code, stdout } = await runCli(['backtest', '--file', sorted, '--symbol', 'AAPL', '--sma-long', '6'], {
      env,
      cwd: dir,
    });
    assert.equal(code, 0);
    assert.match(stdout, /symbol.*timestamp.*signal/);
    assert.match(stdout, /buy & hold change %/);
    // The summary fits 80 columns off a terminal: ten columns do not, so a block per symbol.
    for (const line of stdout.trimEnd().split('\n')) assert.ok(line.length <= 80, `${line.length}: ${line}`);
    assert.match(stdout, /^-\[ 1 \]-+\nsymbol +AAPL\n/m);
  });

  it('the summary is a row per symbol on a terminal wide enough, a block per symbol at 80 columns', async () => {
    const args = ['backtest', '--file', sorted, '--symbol', 'AAPL', '--sma-long', '6'];
    const wide = await runCli(args, { env, cwd: dir, tty: true, columns: 160 });
    assert.equal(wide.code, 0, wide.stderr);
    assert.match(stripVTControlCharacters(wide.stdout), /│ symbol │ rows │ .*│ buy & hold change % │/);
    const narrow = await runCli(args, { env, cwd: dir, tty: true, columns: 80 });
    const lines = stripVTControlCharacters(narrow.stdout).trimEnd().split('\n');
    for (const line of lines) assert.ok(line.length <= 80, line);
    assert.ok(
      lines.some((line) => /^from/.test(line) && /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(line)),
      narrow.stdout,
    );
  });
});

describe('backtest bad input exits 2 with one line', () => {
  for (const [argv, pattern] of [
    [['backtest', '--file', 'missing.csv', '--symbol', 'AAPL'], /^error: replay file not found: missing\.csv\n$/],
    [['backtest', '--symbol', 'AAPL'], /^error: backtest needs --file <csv\|ndjson>/],
    [
      ['backtest', '--file', 'daily.csv', '--symbol', 'AAPL', '--strategy', 'momentum'],
      /^error: invalid --strategy 'momentum': use crossover, threshold or a strategy file \(e\.g\. \.\/momentum\.mjs\)\n$/,
    ],
    [
      ['backtest', '--file', 'unsorted.csv', '--symbol', 'AAPL'],
      new RegExp(
        `^error: cannot backtest unsorted\\.csv: a AAPL row at ${day(1)}T20:00:00\\.000Z follows one at ${day(2)}T20:00:00\\.000Z: rows must be in time order per symbol \\(sort the file by time first\\)\\n$`,
      ),
    ],
    [
      ['backtest', '--file', 'daily.csv', '--symbol', 'AAPL', '--strategy', 'crossover', '--thresh-pct', '2'],
      /^error: --thresh-pct does not apply to --strategy crossover\n$/,
    ],
    [['backtest', '--file', 'daily.csv'], /^error: a CSV replay holds one symbol: give exactly one --symbol/],
    [['backtest', '--file', 'daily.csv', '--symbol', 'AAPL', '--format', 'xml'], /^error: invalid --format 'xml'/],
  ] as const) {
    it(argv.join(' '), () => expectUsageError(argv, pattern, { env, cwd: dir }));
  }
});
