import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileFilterPattern } from '../../../src/logs/filter-pattern.ts';
import { LocalFileLogSource } from '../../../src/logs/local-files.ts';

const line = (timestamp: string, level: string, message: string) =>
  `${JSON.stringify({ timestamp, level, message, service: 'ingest' })}\n`;

describe('local log files as a tail source', () => {
  it('interleaves both functions in time order, within the window, each line once across reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stockpipe-logs-'));
    const ingest = join(dir, 'p-ingest.log');
    const trends = join(dir, 'p-trends.log');
    writeFileSync(
      ingest,
      line('2026-11-22T10:00:00.000Z', 'INFO', 'old') + line('2026-11-22T10:05:00.000Z', 'INFO', 'batch'),
    );
    writeFileSync(trends, `${line('2026-11-22T10:04:00.000Z', 'INFO', 'alert')}{"timestamp":"2026-11-22T10:06`);
    const source = new LocalFileLogSource([
      { fn: 'ingest', group: 'p-ingest', path: ingest },
      { fn: 'trends', group: 'p-trends', path: trends },
      { fn: 'trends', group: 'missing', path: join(dir, 'never-written.log') },
    ]);
    const window = { startTime: Date.parse('2026-11-22T10:01:00.000Z') };
    const first = await source.read(window);
    assert.deepEqual(
      first.map((e) => [e.fn, JSON.parse(e.message).message]),
      [
        ['trends', 'alert'],
        ['ingest', 'batch'],
      ],
    );

    appendFileSync(ingest, line('2026-11-22T10:07:00.000Z', 'ERROR', 'throttled'));
    const second = await source.read(window);
    assert.equal(second.length, 3, 'the half-written trends line is not read until it ends');
    assert.deepEqual(
      second.slice(0, 2).map((e) => e.id),
      first.map((e) => e.id),
      'ids are stable across reads',
    );
    const filtered = await source.read({ ...window, filterPattern: '{ $.level = "ERROR" }' });
    assert.deepEqual(
      filtered.map((e) => JSON.parse(e.message).message),
      ['throttled'],
    );
  });

  it('still answers a window that moves back, and re-reads a file that was recreated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stockpipe-logs-'));
    const path = join(dir, 'p-ingest.log');
    writeFileSync(
      path,
      line('2026-11-22T10:00:00.000Z', 'INFO', 'early') + line('2026-11-22T10:10:00.000Z', 'INFO', 'late'),
    );
    const source = new LocalFileLogSource([{ fn: 'ingest', group: 'p-ingest', path }]);
    const messages = async (startTime: string) =>
      (await source.read({ startTime: Date.parse(startTime) })).map((e) => JSON.parse(e.message).message);
    assert.deepEqual(await messages('2026-11-22T10:05:00.000Z'), ['late']);
    assert.deepEqual(
      await messages('2026-11-22T09:00:00.000Z'),
      ['early', 'late'],
      'an earlier window sees earlier lines',
    );

    writeFileSync(path, line('2026-11-22T10:20:00.000Z', 'INFO', 'new file'));
    assert.deepEqual(
      await messages('2026-11-22T09:00:00.000Z'),
      ['new file'],
      'a recreated file is read from its start',
    );
  });
});

describe('filter patterns offline', () => {
  it('matches terms, phrases, optional and excluded terms like CloudWatch', () => {
    const match = (pattern: string, message: string) => compileFilterPattern(pattern)(message);
    assert.ok(match('ERROR', 'an ERROR here'));
    assert.ok(!match('ERROR', 'an error here'), 'case-sensitive');
    assert.ok(match('ERROR batch', 'batch failed: ERROR'));
    assert.ok(!match('ERROR batch', 'ERROR only'));
    assert.ok(match('"batch failed"', 'the batch failed now'));
    assert.ok(!match('"batch failed"', 'failed batch'));
    assert.ok(match('?WARN ?ERROR', 'a WARN'));
    assert.ok(!match('?WARN ?ERROR', 'INFO'));
    assert.ok(!match('ERROR -retry', 'ERROR on retry'));
  });

  it('compares JSON fields with =, !=, wildcards, && and ||', () => {
    const message = JSON.stringify({ level: 'ERROR', counts: { failed: 3 }, fn: 'ingest' });
    const match = (pattern: string) => compileFilterPattern(pattern)(message);
    assert.ok(match('{ $.level = "ERROR" }'));
    assert.ok(match('{ $.counts.failed = 3 }'));
    assert.ok(match('{ $.level = "ERROR" && $.fn = "ingest" }'));
    assert.ok(!match('{ $.level = "ERROR" && $.fn = "trends" }'));
    assert.ok(match('{ $.level = "INFO" || $.fn = "ingest" }'));
    assert.ok(match('{ $.level != "INFO" }'));
    assert.ok(match('{ $.fn = * }'));
    assert.ok(!match('{ $.missing = * }'));
    assert.ok(!compileFilterPattern('{ $.level = "ERROR" }')('not json'));
    assert.throws(() => compileFilterPattern('{ $.price > 5 }'), /not supported offline/);
  });
});
