/**
 * `query`'s output at any size (issue 26): rows printed as DuckDB streams them, JSON and CSV byte
 * for byte what the whole result printed at once gives, a terminal shown the first rows and told
 * how to get all, and Ctrl+C or SIGTERM ending the printing with 130 / 143.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { TERMINAL_ROWS } from '../../src/commands/query/print.ts';
import { runQuery } from '../../src/commands/query/run.ts';
import { CancelledError } from '../../src/errors.ts';
import { DuckDbQueryRunner } from '../../src/query/duckdb.ts';
import { rowsAsObjects } from '../../src/query/runner.ts';
import { createCaptureIO } from '../../src/ui/io.ts';
import { renderCsv } from '../../src/ui/table.ts';

const ROWS = 5000;
const SQL = `SELECT range AS n, 'row ' || range AS label, range / 7.0 AS ratio FROM range(${ROWS})`;

describe('query output streams, in every format', () => {
  const s3Directory = mkdtempSync(join(tmpdir(), 'stockpipe-query-output-'));
  mkdirSync(join(s3Directory, 'bucket'));
  after(() => rmSync(s3Directory, { recursive: true, force: true }));
  const runner = new DuckDbQueryRunner({ s3Directory, bucket: 'bucket' });
  const run = (format: 'json' | 'csv' | 'table', capture = createCaptureIO(), signal = new AbortController().signal) =>
    runQuery({ sql: SQL, format }, { io: capture.io, signal, createRunner: async () => runner }).then((code) => ({
      code,
      stdout: capture.stdout(),
      stderr: capture.stderr(),
    }));

  it('--format json and csv print what the whole result gives, in the same bytes', async () => {
    const whole = await runner.run(SQL);
    assert.equal(whole.rowCount, ROWS);
    const json = await run('json');
    assert.equal(json.stdout, `${JSON.stringify(rowsAsObjects(whole), null, 2)}\n`);
    const csv = await run('csv');
    const columns = whole.columns.map((column) => ({ name: column.name, numeric: column.kind === 'number' }));
    assert.equal(csv.stdout, renderCsv(columns, whole.rows));
    assert.match(csv.stderr, new RegExp(`^${ROWS} rows · `, 'm'));
  });

  it('an empty result is [] in JSON, a header in CSV', async () => {
    const empty = (format: 'json' | 'csv') =>
      runQuery(
        { sql: 'SELECT 1 AS n WHERE false', format },
        { io: capture.io, signal: new AbortController().signal, createRunner: async () => runner },
      );
    let capture = createCaptureIO();
    await empty('json');
    assert.equal(capture.stdout(), '[]\n');
    capture = createCaptureIO();
    await empty('csv');
    assert.equal(capture.stdout(), 'n\r\n');
  });

  it('a terminal is shown the first rows, then told how many there are and how to get them all', async () => {
    const terminal = await run('table', createCaptureIO({ stdoutTTY: true }));
    const lines = terminal.stdout.trimEnd().split('\n');
    assert.equal(lines.length, TERMINAL_ROWS + 4, 'the rows shown, between header and border');
    assert.match(
      terminal.stderr,
      /showing the first 2,000 of 5,000 rows at the terminal: --format csv \(or json, or a pipe\) prints them all/,
    );
    const piped = await run('table');
    assert.equal(piped.stdout.trimEnd().split('\n').length, ROWS + 4, 'a pipe gets every row');
  });

  it('an abort during the printing stops it: CancelledError, and no more rows written', async () => {
    const controller = new AbortController();
    let written = 0;
    const capture = createCaptureIO();
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.length;
        controller.abort('SIGINT'); // Ctrl+C as soon as rows reach the screen
        done();
      },
    });
    const io = { ...capture.io, stdout };
    await assert.rejects(
      runQuery({ sql: SQL, format: 'csv' }, { io, signal: controller.signal, createRunner: async () => runner }),
      CancelledError,
    );
    const everything = (await run('csv')).stdout.length;
    assert.ok(written > 0 && written < everything / 2, `${written} of ${everything} bytes written`);
  });
});
