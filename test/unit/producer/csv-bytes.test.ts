import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { StockEvent } from '../../../src/core/event.ts';
import { fileByteLines } from '../../../src/producer/byte-lines.ts';
import { createReplaySource, type ReplayLine } from '../../../src/producer/replay.ts';

const dir = mkdtempSync(join(tmpdir(), 'stockpipe-csv-bytes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every event and report of a CSV replay: from the file's bytes, or from `lines` (the text reader). */
async function replay(path: string, lines?: ReplayLine[]) {
  const reports: string[] = [];
  const source = createReplaySource({
    file: path,
    format: 'csv',
    symbols: ['X'],
    speed: 'max',
    report: (line) => reports.push(line),
    newId: () => 'id',
    ...(lines ? { lines } : {}),
  });
  const events: StockEvent[] = [];
  for (;;) {
    const poll = await source.poll(new AbortController().signal);
    events.push(...poll.events);
    if (poll.done) break;
  }
  await source.close?.();
  return { events, reports, skips: source.skips() };
}

async function byteLines(path: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of fileByteLines(path)) {
    for (let i = 0; i < batch.count; i++) lines.push(batch.bytes.toString('latin1', batch.starts[i], batch.ends[i]));
  }
  return lines;
}

describe('CSV rows read from bytes', () => {
  it('gives the text reader’s events and reasons for every shape of row', async () => {
    // The fast path takes the first rows of each group; the others it must hand to the text reader.
    const rows = [
      '2016-01-04 14:30:00,1.5,2,0.5,1.25,100',
      '2016-01-04T14:31:00,1.5,2,0.5,1.5,100.6',
      '2016-01-04T14:32:00Z,+1.5,2.,.5,1.75,0',
      '2016-01-04T14:33:00.250Z,-1.5,2,0.5,1.5,',
      '2016-01-05,1,2,0.5,1.5,100',
      '2016-02-29 00:00:00,1,2,0.5,1.5,100',
      '2016-01-06 14:34:00,,,,1.5,',
      '2016-01-06 14:35:00,1,2,0.5,1.5',
      '2016-01-06 14:36:00,1,2,0.5,1.5,100,extra,"quoted, cell"',
      ' 2016-01-06 14:37:00 , 1 ,2,0.5, 1.5 ,100',
      '2016-01-06 14:38:00,1e0,2,0.5,1.5,100',
      '2016-01-06 14:39:00,1,2,0.5,1.5,1234567890123456789',
      '2016-01-06 14:40:00,null,2,0.5,1.5,100',
      '"2016-01-06 14:41:00",1,2,0.5,"1.5",100',
      '2016-01-06 14:42:00,1,2,0.5,1.5,-3',
      '2016-01-06 14:43:00,1,2,0.5,0,100',
      '2016-01-06 14:44:00,1,2,0.5,-1,100',
      '2016-01-06 14:45:00,1,2,0.5,,100',
      '2016-01-06 14:46:00,1,2,0.5,abc,100',
      '2016-01-06 14:47:00,x,2,0.5,1.5,100',
      '2016-01-06 24:00:00,1,2,0.5,1.5,100',
      '2016-01-06 14:60:00,1,2,0.5,1.5,100',
      '2015-02-29 14:48:00,1,2,0.5,1.5,100',
      '2016-13-01 14:49:00,1,2,0.5,1.5,100',
      '1969-12-31 23:59:59,1,2,0.5,1.5,100',
      '2016-01-06 14:50,1,2,0.5,1.5,100',
      '1452091860,1,2,0.5,1.5,100',
      '2016-01-06T14:51:00+02:00,1,2,0.5,1.5,100',
      '2016-01-06t14:52:00z,1,2,0.5,1.5,100',
      '2016-01-06 14:53:00.5Z,1,2,0.5,1.5,100',
      '2016-01-06\t14:54:00,1,2,0.5,1.5,100',
      '2016-01-06 14:55:00,1,2,0.5,1.5,100\t',
      '2016-01-06 14:56:00,1,2,0.5,1.5,1.5',
      '2016-01-06 14:57:00,1,2,0.5,1.5,٣',
      'é,1,2,0.5,1.5,100',
      '',
      '   ',
      ',,,,,',
      '2016-01-07,1,2,0.5,1.5,100',
    ];
    const text = `Date,Open,High,Low,Close,Volume\n${rows.join('\n')}\n`;
    const path = join(dir, 'shapes.csv');
    writeFileSync(path, text);
    const lines = text
      .split('\n')
      .slice(0, -1)
      .map((line, index) => ({ text: line, lineNumber: index + 1 }));
    const fromBytes = await replay(path);
    const fromText = await replay(path, lines);
    assert.deepEqual(fromBytes, fromText);
    // Not vacuous: both read some rows and skipped others.
    assert.ok(fromBytes.events.length > 10 && fromBytes.skips.skipped > 10);
  });

  it('keeps a previous_close column and the column order of the header', async () => {
    const text = 'close,prev_close,date\n10,9,2016-01-04\n11,,2016-01-05\n12,11.5,2016-01-06\n';
    const path = join(dir, 'order.csv');
    writeFileSync(path, text);
    const lines = text
      .split('\n')
      .slice(0, -1)
      .map((line, index) => ({ text: line, lineNumber: index + 1 }));
    const fromBytes = await replay(path);
    assert.deepEqual(fromBytes, await replay(path, lines));
    assert.deepEqual(
      fromBytes.events.map((event) => event.previous_close),
      [9, 10, 11.5],
    );
  });
});

describe('a file’s lines as bytes', () => {
  it('carries lines and a \\r\\n across reads, and a line longer than one read', async () => {
    const read = 1 << 20;
    // A \r as the last byte of the first read, its \n the first of the next; then a 2.5 MB line.
    const first = `${'a'.repeat(read - 1)}\r\nb\r`;
    const long = 'c'.repeat(2.5 * read);
    const path = join(dir, 'long.txt');
    writeFileSync(path, `${first}${long}\nlast`);
    const lines = await byteLines(path);
    assert.deepEqual(
      lines.map((line) => [line[0], line.length]),
      [
        ['a', read - 1],
        ['b', 1],
        ['c', long.length],
        ['l', 4],
      ],
    );
  });

  it('splits on \\n, \\r\\n and \\r as the text reader does, a final \\r included', async () => {
    const text = 'one\r\ntwo\rthree\n\nfour\r';
    const path = join(dir, 'breaks.txt');
    writeFileSync(path, text);
    assert.deepEqual(await byteLines(path), ['one', 'two', 'three', '', 'four']);
    assert.equal(readFileSync(path, 'latin1'), text);
  });
});
