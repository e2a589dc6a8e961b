import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { Chalk } from 'chalk';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { formatCell, renderCsv, renderTable, TableStream } from '../../../src/ui/table.ts';

describe('tables', () => {
  const plain = new Chalk({ level: 0 });
  it('colours changes: green up, red down, nothing else', () => {
    const style = new Chalk({ level: 1 });
    const out = renderTable(
      [{ name: 'symbol' }, { name: 'price' }, { name: 'change_percent' }],
      [
        ['AAPL', 190.5, 1.25],
        ['TSLA', 230, -4.36],
      ],
      style,
    );
    assert.ok(out.includes(style.green('1.25')));
    assert.ok(out.includes(style.red('-4.36')));
    assert.ok(!out.includes(style.green('190.5')) && !out.includes(style.red('230')), 'prices are not coloured');
  });

  it('a wide character (CJK, emoji) takes two columns: the borders still line up', () => {
    const columns = [{ name: 'name' }, { name: 'price' }];
    const rows = [
      ['トヨタ自動車', 2890.5],
      ['AAPL', 190.5],
      ['🚀 moon', 1],
    ];
    for (const out of [renderTable(columns, rows, plain), renderTable(columns, rows, plain, { width: 40 })]) {
      const widths = new Set(out.split('\n').map((line) => stringWidth(line)));
      assert.equal(widths.size, 1, out);
    }
    const stream = new TableStream(columns, plain);
    const streamed = stream.push(rows) + stream.end();
    const widths = new Set(
      streamed
        .trimEnd()
        .split('\n')
        .map((line) => stringWidth(line)),
    );
    assert.equal(widths.size, 1, streamed);
  });

  it('formats numbers with at most 4 decimals and NULL as a dash', () => {
    assert.equal(formatCell(0.1 + 0.2), '0.3');
    assert.equal(formatCell(1234567), '1234567');
    assert.equal(formatCell(null), '—');
  });

  it('no separator between rows; one number of decimals per column (prices 2)', () => {
    const out = renderTable(
      [{ name: 'symbol' }, { name: 'price' }, { name: 'volume' }],
      [
        ['AAPL', 423.4, 100],
        ['MSFT', 423.64, 2000],
      ],
      plain,
    );
    const lines = out.split('\n');
    assert.equal(lines.length, 6, out); // top, head, rule, 2 rows, bottom
    assert.ok(lines.some((line) => line.includes('423.40')) && lines.some((line) => line.includes('423.64')), out);
    assert.ok(
      lines.some((line) => /│\s+100 │/.test(line)),
      'integers stay integers',
    );
  });

  it('fits the width: long text is cut with …; numbers keep their digits', () => {
    const subject = 'stockpipe BUY AAPL at 187.30: SMA5 crossed above SMA20, a long subject line';
    const out = renderTable(
      [{ name: 'symbol' }, { name: 'price' }, { name: 'subject' }],
      [['AAPL', 187.3, subject]],
      plain,
      {
        width: 60,
      },
    );
    for (const line of out.split('\n')) assert.ok(line.length <= 60, `${line.length}: ${line}`);
    assert.match(out, /187\.30/);
    assert.match(out, /…/);
  });

  it('too many columns for the width: one block of "column  value" lines per row', () => {
    const columns = Array.from({ length: 12 }, (_, i) => ({ name: `metric_${i}` }));
    const out = renderTable(columns, [columns.map((_, i) => 1000.5 + i)], plain, { width: 60 });
    const lines = out.split('\n');
    assert.match(lines[0] ?? '', /^-\[ 1 \]-+$/);
    assert.equal(lines.length, 13);
    assert.match(lines[1] ?? '', /^metric_0 +1000\.50$/);
    for (const line of lines) assert.ok(line.length <= 60);
  });

  it('property: CSV fields round-trip through an RFC 4180 parser', () => {
    const parse = (text: string): string[][] => {
      const rows: string[][] = [];
      let row: string[] = [];
      let field = '';
      let quoted = false;
      for (let i = 0; i < text.length; i++) {
        const ch = text[i] as string;
        if (quoted) {
          if (ch === '"' && text[i + 1] === '"') {
            field += '"';
            i++;
          } else if (ch === '"') quoted = false;
          else field += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === ',') {
          row.push(field);
          field = '';
        } else if (ch === '\r' && text[i + 1] === '\n') {
          row.push(field);
          rows.push(row);
          row = [];
          field = '';
          i++;
        } else field += ch;
      }
      return rows;
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 5 }), (rows) => {
        const csv = renderCsv([{ name: 'a' }, { name: 'b' }], rows);
        assert.deepEqual(parse(csv), [['a', 'b'], ...rows]);
      }),
    );
  });
});

describe('TableStream: a query result drawn as it arrives (issue 26)', () => {
  const columns = ['event_id', 'symbol', 'timestamp', 'price', 'change', 'currency'].map((name) => ({ name }));
  const rowArb = fc.tuple(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('AAPL', 'MSFT', 'BRK-B'),
    fc.constant('2026-12-06T13:36:58.551Z'),
    fc.option(fc.double({ min: 0.01, max: 1e6, noNaN: true }), { nil: null }),
    fc.option(fc.double({ min: -50, max: 50, noNaN: true }), { nil: null }),
    fc.option(fc.constantFrom('USD', 'EUR'), { nil: null }),
  );

  it('draws what renderTable draws, at any width and in colour, when pushed in one go', () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 12 }),
        fc.option(fc.integer({ min: 20, max: 160 }), { nil: undefined }),
        fc.boolean(),
        (rows, width, coloured) => {
          const style = new Chalk({ level: coloured ? 2 : 0 });
          const stream = new TableStream(columns, style, { width });
          const streamed = stream.push(rows) + stream.end();
          const drawn = renderTable(columns, rows, style, { width });
          assert.equal(streamed, drawn === '' ? '' : `${drawn}\n`);
        },
      ),
    );
  });

  it('later pushes keep the first push’s layout: same widths, one header, one bottom border', () => {
    const stream = new TableStream(columns, new Chalk({ level: 0 }), { width: 80 });
    const first = stream.push([['a', 'AAPL', '2026-12-06T13:36:58.551Z', 1.5, 0.25, 'USD']]);
    const later = stream.push([['a much longer event id than before', 'MSFT', 'x', 2, -1, null]]);
    const end = stream.end();
    const [heading, ...lines] = `${first}${later}${end}`.trimEnd().split('\n');
    assert.equal(heading, '2026-12-06 (times UTC)', 'the day once, above the table');
    assert.equal(lines.length, 6);
    assert.equal(new Set(lines.map((line) => line.length)).size, 1, 'every line as wide as the first');
    assert.match(lines[3] ?? '', /│ 13:36:58 +│/);
    assert.match(lines[4] ?? '', /│ a much ?… │ MSFT {3}│ x /);
    assert.ok(lines[5]?.startsWith('└'));
  });
});

describe('times at a terminal (issue 30)', () => {
  const plain = new Chalk({ level: 0 });
  const history = [
    ['AAPL', '2026-12-06T13:36:58.551Z', 50.24],
    ['AAPL', '2026-12-06T13:36:58.601Z', 50.31],
    ['AAPL', '2026-12-06T13:36:59.020Z', 50.3],
  ];
  const columns = [{ name: 'symbol' }, { name: 'timestamp' }, { name: 'price' }];

  it('one day: the date once above the table, then times to the millisecond when rows share a second', () => {
    const lines = renderTable(columns, history, plain, { width: 80 }).split('\n');
    assert.equal(lines[0], '2026-12-06 (times UTC)');
    assert.deepEqual(
      lines.filter((line) => line.includes('AAPL')).map((line) => line.split('│')[2]?.trim()),
      ['13:36:58.551', '13:36:58.601', '13:36:59.020'],
    );
  });

  it('rows a second or more apart: seconds, never less', () => {
    const out = renderTable(
      columns,
      [
        ['AAPL', '2026-12-06T13:36:58.000Z', 1],
        ['AAPL', '2026-12-06T13:37:58.500Z', 2],
      ],
      plain,
      { width: 80 },
    );
    assert.match(out, /│ 13:36:58 +│/);
    assert.match(out, /│ 13:37:58 +│/);
  });

  it('rows on different days: the date in each cell', () => {
    const out = renderTable(
      columns,
      [
        ['AAPL', '2026-12-05T23:59:58Z', 1],
        ['AAPL', '2026-12-06T00:00:01Z', 2],
      ],
      plain,
      { width: 80 },
    );
    assert.ok(!out.includes('(times UTC)'), out);
    assert.match(out, /│ 2026-12-05 23:59:58 │/);
    assert.match(out, /│ 2026-12-06 00:00:01 │/);
  });

  it('a pipe gets every value whole', () => {
    const out = renderTable(columns, history, plain);
    assert.match(out, /2026-12-06T13:36:58\.551Z/);
  });

  it('streamed rows on a later day than the heading get a rule saying the day', () => {
    const stream = new TableStream(columns, plain, { width: 80 });
    const text = stream.push(history) + stream.push([['AAPL', '2026-12-07T09:30:00.000Z', 51]]) + stream.end();
    const lines = text.trimEnd().split('\n');
    const rule = lines.findIndex((line) => line.includes('2026-12-07'));
    assert.match(lines[rule] ?? '', /^├─ 2026-12-07 ─+┤$/);
    assert.match(lines[rule + 1] ?? '', /│ 09:30:00\.000 │/);
    assert.equal(new Set(lines.slice(1).map((line) => line.length)).size, 1, text);
  });

  it('an alerts table at 80 columns: no line wider, both times whole, the subject cut', () => {
    const subject = 'stockpipe BUY AAPL at 187.30: short SMA crossed above long SMA, and more words';
    const out = renderTable(
      [
        { name: 'published', numeric: false },
        { name: 'symbol', numeric: false },
        { name: 'signal', numeric: false },
        { name: 'strategy', numeric: false },
        { name: 'price', numeric: true },
        { name: 'point time', numeric: false },
        { name: 'subject', numeric: false },
      ],
      [
        ['2026-12-06T13:37:01.204Z', 'AAPL', 'BUY', 'crossover', 187.3, '2026-12-06T13:36:58.551Z', subject],
        ['2026-12-06T13:36:01.100Z', 'MSFT', 'SELL', 'crossover', 436.44, '2026-12-06T13:35:58.000Z', subject],
      ],
      plain,
      { width: 80 },
    );
    for (const line of out.split('\n')) assert.ok(line.length <= 80, `${line.length}: ${line}`);
    assert.match(out, /│ 13:37:01 +│ AAPL/);
    assert.match(out, /│ 13:36:58 +│ stockp/);
    assert.match(out, /…/);
  });
});

describe('tones', () => {
  it('a column’s tone colours its cells after they are measured: no escaped codes, widths as plain', () => {
    const style = new Chalk({ level: 1 });
    const columns = [
      {
        name: 'signal',
        numeric: false,
        tone: (value: unknown) => (value === 'BUY' ? ('up' as const) : ('down' as const)),
      },
      { name: 'price' },
    ];
    const out = renderTable(
      columns,
      [
        ['BUY', 1.5],
        ['SELL', 2],
      ],
      style,
      { width: 80 },
    );
    assert.ok(out.includes(style.green('BUY')) && out.includes(style.red('SELL')), out);
    assert.ok(!out.includes('\\x1b'), out);
    const plainOut = renderTable(
      columns,
      [
        ['BUY', 1.5],
        ['SELL', 2],
      ],
      new Chalk({ level: 0 }),
      { width: 80 },
    );
    assert.equal(stripVTControlCharacters(out), plainOut);
  });
});
