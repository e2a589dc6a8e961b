/**
 * What a careless paste or a hostile value can do to the screen and the store: control characters
 * shown escaped, long values cut, look-alike tickers refused, and `query sql` refusing writes on
 * both targets with exit 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { normaliseSymbol, validateEvent } from '../../../src/core/event.ts';
import { readObservation } from '../../../src/core/ingest-reader.ts';
import { printable, quoted } from '../../../src/core/printable.ts';
import { writingStatementKind } from '../../../src/query/statement.ts';
import { formatCell } from '../../../src/ui/table.ts';
import { expectUsageError, runCli } from '../../helpers/cli.ts';

// No endpoint, no credentials: any network call would fail with exit 1, never 2.
const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
// biome-ignore lint/suspicious/noControlCharactersInRegex: the bytes a terminal would obey
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('printable: control characters escaped, ordinary text untouched', () => {
  it('escapes C0, DEL, C1 and the characters that reorder or hide text', () => {
    assert.equal(printable('\u001b]0;EVIDPWN\u0007'), '\\x1b]0;EVIDPWN\\x07');
    assert.equal(printable('\u001b[5mUSD'), '\\x1b[5mUSD');
    assert.equal(printable('a\nb\r\tc\u0000'), 'a\\nb\\r\\tc\\x00');
    assert.equal(printable('x\u009bq\u007f'), 'x\\x9bq\\x7f');
    assert.equal(printable('abc\u202edef'), 'abc\\u202edef');
    // Once something is escaped a backslash is doubled, so the escapes cannot be forged.
    assert.equal(printable('\\x1b\u0007'), '\\\\x1b\\x07');
  });

  it('leaves text without control characters as it is, backslashes and non-ASCII letters included', () => {
    for (const text of ['AAPL', 'C:\\data\\bars.csv', 'Zürich 東京 ↑', '']) assert.equal(printable(text), text);
  });

  it('quoted cuts a long value with … and its length', () => {
    assert.equal(quoted('AAPL'), 'AAPL');
    const long = 'A'.repeat(100_000);
    assert.equal(quoted(long), `${'A'.repeat(60)}… (100000 characters)`);
  });

  it('a table cell shows a producer’s escapes instead of sending them', () => {
    assert.equal(formatCell('\u001b[5mUSD\n'), '\\x1b[5mUSD\\n');
  });
});

describe('the ingest door keeps look-alikes and unprintable ids out', () => {
  it('upper-cases symbols in ASCII only and needs a letter or digit', () => {
    assert.equal(normaliseSymbol(' brk-b '), 'BRK-B');
    assert.equal(normaliseSymbol('^gspc'), '^GSPC');
    for (const lookAlike of ['ſtock', 'ﬀ', 'ı', '.', '..', '^', '-=', 'ＡＡＰＬ']) {
      assert.equal(normaliseSymbol(lookAlike), undefined, lookAlike);
    }
  });

  it('quarantines records whose symbol is a look-alike or whose event_id is unprintable', () => {
    const base = { timestamp: '2016-01-04T20:00:00Z', price: 10 };
    const lookAlike = readObservation({ ...base, symbol: 'ſtock' });
    assert.equal(lookAlike.ok ? 'stored' : lookAlike.reason, 'bad_symbol');
    for (const id of ['\u001b]0;EVIDPWN\u0007', 'a\nb', 'a\u0000', 'with space']) {
      const result = readObservation({ ...base, symbol: 'AAPL', event_id: id });
      assert.equal(result.ok ? 'stored' : result.reason, 'bad_event_id', JSON.stringify(id));
    }
    const fine = readObservation({ ...base, symbol: 'aapl', event_id: '01JD5Z0000000000000000000' });
    assert.ok(fine.ok);
    assert.equal(fine.event.symbol, 'AAPL');
    assert.equal(validateEvent({ ...fine.event, symbol: '..' }).ok, false);
  });
});

describe('query sql runs one read-only statement, on both targets', () => {
  it('names the kind of a statement that writes or loads', () => {
    for (const [sql, kind] of [
      ['DELETE FROM stock_data_table', 'DELETE'],
      ['INSTALL httpfs', 'INSTALL'],
      ["ATTACH 'x.db'", 'ATTACH'],
      ['insert into t select 1', 'INSERT'],
      ['CREATE TABLE t AS SELECT 1', 'CREATE'],
      ['EXPLAIN ANALYZE INSERT INTO t SELECT 1', 'INSERT'],
      ['-- note\nDROP TABLE stock_data_table', 'DROP'],
      ["/* x */ ( COPY t TO 'f' )", 'COPY'],
    ] as const) {
      assert.equal(writingStatementKind(sql), kind, sql);
    }
    for (const sql of [
      'SELECT 1',
      '  with x as (select 1) select * from x',
      '(SELECT 1) UNION (SELECT 2)',
      '-- top\nSELECT * FROM stock_data_table',
      'EXPLAIN SELECT 1',
      'VALUES (1)',
    ]) {
      assert.equal(writingStatementKind(sql), undefined, sql);
    }
  });

  for (const target of ['aws', 'local']) {
    for (const [sql, kind] of [
      ['DELETE FROM stock_data_table', 'DELETE'],
      ['INSTALL httpfs', 'INSTALL'],
    ] as const) {
      it(`${sql} on --target ${target}: exit 2, naming ${kind}`, () =>
        expectUsageError(
          ['query', 'sql', sql, '--target', target],
          new RegExp(`^error: query sql runs one read-only statement .*; got ${kind} `),
          { env },
        ));
    }
  }
});

describe('errors show what was typed escaped and cut', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockpipe-hostile-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a --symbol with a terminal title escape is echoed escaped', async () => {
    await expectUsageError(
      ['stream', '--symbol', '\u001b]0;PWN\u0007', '--dry-run'],
      /invalid symbol '\\x1b\]0;PWN\\x07'/,
      {
        env,
      },
    );
  });

  it('a 100 KB --symbol is cut, with its length', async () => {
    const { code, stderr } = await runCli(['stream', '--symbol', 'A'.repeat(100_000), '--dry-run'], { env });
    assert.equal(code, 2);
    assert.ok(stderr.length < 400, `${stderr.length} characters`);
    assert.match(stderr, /… \(100000 characters\)/);
  });

  it('a --symbols-file line with control characters is shown escaped', async () => {
    const file = join(dir, 'symbols.txt');
    writeFileSync(file, 'AAPL\n\u001b[5mBAD\u0007\n');
    const { code, stderr } = await runCli(['stream', '--symbols-file', file, '--dry-run'], { env });
    assert.equal(code, 2);
    assert.doesNotMatch(stderr, CONTROL);
    assert.match(stderr, /\\x1b\[5mBAD\\x07/);
  });

  it('a config file name with control characters is shown escaped', async () => {
    const cwd = mkdtempSync(join(dir, 'config-'));
    writeFileSync(join(cwd, 'stockpipe.config.json'), JSON.stringify({ name: 'bad\u001b[2Jname' }));
    const { code, stderr } = await runCli(['status'], { env, cwd });
    assert.equal(code, 2);
    assert.doesNotMatch(stderr, CONTROL);
    assert.match(stderr, /bad\\x1b\[2Jname/);
  });

  it('an unknown option with control characters is shown escaped', async () => {
    const { code, stderr } = await runCli(['status', '--\u001b[5mx'], { env });
    assert.equal(code, 2);
    assert.doesNotMatch(stderr, CONTROL);
  });
});

describe('a replay or backtest that skips every row fails and says why', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockpipe-skips-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'date,close\n2016-13-40,10\n2016-01-05,abc\n');
  const some = join(dir, 'some.csv');
  writeFileSync(some, 'date,close\n2016-01-04,10\n2016-01-05,abc\n2016-01-06,11\n');

  for (const argv of [
    ['backtest', '--file', bad, '--symbol', 'X'],
    ['stream', '--source', 'replay', '--file', bad, '--symbol', 'X', '--speed', 'max', '--dry-run'],
  ]) {
    it(`${argv[0]}: exit 1 with the count and the first reason`, async () => {
      const { code, stderr } = await runCli(argv, { env });
      assert.equal(code, 1, stderr);
      assert.match(stderr, /error: every row of .*bad\.csv was skipped: 2 rows \(first: line 2: unreadable date/);
    });
  }

  it('backtest: some rows skipped is a note with the count and the first reason, and exit 0', async () => {
    const { code, stderr } = await runCli(['backtest', '--file', some, '--symbol', 'X'], { env });
    assert.equal(code, 0, stderr);
    assert.match(stderr, /skipped 1 of 3 rows of .*some\.csv \(first: line 3: close\/price 'abc'/);
  });
});
