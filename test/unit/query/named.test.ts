import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planQuery } from '../../../src/commands/query/plan.ts';
import {
  buildNamedQuery,
  dtPredicate,
  NAMED_QUERY_NAMES,
  parseDate,
  rangeSince,
  TUTORIAL_QUERIES,
} from '../../../src/query/named.ts';

const range = { from: '2026-11-20', to: '2026-11-22' };
const now = new Date('2026-11-22T10:00:00.000Z');
const plan = (options: Parameters<typeof planQuery>[0]) => planQuery(options, { cwd: '/', now, json: false });

describe('named queries', () => {
  it('every named query restricts dt to the asked range', () => {
    for (const name of NAMED_QUERY_NAMES) {
      const sql = buildNamedQuery(name, { range, symbol: 'AAPL' });
      assert.ok(sql.includes("dt BETWEEN '2026-11-20' AND '2026-11-22'"), `${name} carries its dt predicate`);
      assert.match(sql, /FROM stock_data_table/);
    }
  });

  it('property: for any day range, every query names exactly that range', () => {
    const day = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true });
    fc.assert(
      fc.property(day, fc.nat(400), (start, days) => {
        const from = start.toISOString().slice(0, 10);
        const to = new Date(start.getTime() + days * 86_400_000).toISOString().slice(0, 10);
        for (const name of NAMED_QUERY_NAMES) {
          const sql = buildNamedQuery(name, { range: { from, to }, symbol: 'MSFT' });
          assert.equal(
            sql
              .match(/dt BETWEEN '([\d-]+)' AND '([\d-]+)'/)
              ?.slice(1)
              .join('..'),
            `${from}..${to}`,
          );
        }
      }),
    );
  });

  it('the default --since 1d covers yesterday and today (UTC), so the partition filter is tight', () => {
    assert.deepEqual(plan({ name: 'latest' }).range, { from: '2026-11-21', to: '2026-11-22' });
    assert.deepEqual(plan({ name: 'latest', since: '7d' }).range, { from: '2026-11-15', to: '2026-11-22' });
    assert.deepEqual(plan({ name: 'latest', from: '2026-11-01' }).range, { from: '2026-11-01', to: '2026-11-22' });
    assert.deepEqual(rangeSince(0, now), { from: '2026-11-22', to: '2026-11-22' });
  });

  it('parameters land in the SQL', () => {
    assert.match(
      plan({ name: 'top-movers', limit: 10 }).sql,
      /PARTITION BY symbol ORDER BY abs\(price - previous_close\) DESC[\s\S]*WHERE move_rank = 1\nORDER BY abs\(change\) DESC, symbol\nLIMIT 10$/,
    );
    assert.match(plan({ name: 'anomalies', threshold: '2.5' }).sql, /abs\(change_percent\) > 2\.5/);
    assert.match(plan({ name: 'history', symbol: 'brk-b' }).sql, /symbol = 'BRK-B'/);
    assert.match(plan({ name: 'latest' }).sql, /row_number\(\) OVER \(PARTITION BY symbol ORDER BY timestamp DESC\)/);
  });

  it('query sql sends the statement trimmed, without the `;` that ends it (Athena refuses one)', () => {
    for (const sql of Object.values(TUTORIAL_QUERIES)) {
      assert.match(sql, /stock_data_table.*;$/, 'the tutorial prints its SQL with a closing ;');
      assert.equal(plan({ name: 'sql', sql: `  ${sql}\n` }).sql, sql.slice(0, -1));
    }
    assert.equal(plan({ name: 'sql', sql: 'SELECT 1 ; ;\n ' }).sql, 'SELECT 1');
    assert.equal(plan({ name: 'sql', sql: "SELECT ';' AS s" }).sql, "SELECT ';' AS s");
  });

  it('dt predicates refuse anything but dates', () => {
    assert.throws(() => dtPredicate({ from: "2026-11-20' OR 1=1 --", to: '2026-11-22' }));
    assert.equal(parseDate('2026-02-30'), undefined);
    assert.equal(parseDate('2026-02-28'), '2026-02-28');
  });
});

describe('query flag validation (exit 2 before any network call)', () => {
  const usage = (options: Parameters<typeof planQuery>[0], pattern: RegExp) =>
    assert.throws(
      () => plan(options),
      (error: Error) => error.name === 'UsageError' && pattern.test(error.message),
    );

  it('rejects bad input with one line', () => {
    usage(
      { name: 'top-moverz' },
      /unknown query 'top-moverz': use one of top-movers, avg-volume, anomalies, latest, history/,
    );
    usage({ name: 'sql', sql: '   ' }, /empty/);
    usage({ name: '' }, /^name a query: top-movers, avg-volume, anomalies, latest, history, or sql "<SQL>"$/);
    usage({ name: 'sql', sql: ';' }, /empty/);
    usage({ name: 'sql' }, /needs a statement/);
    usage({ name: 'latest', since: '-1d' }, /cannot be negative/);
    usage({ name: 'latest', since: 'yesterday' }, /invalid --since/);
    usage({ name: 'history' }, /needs --symbol/);
    usage({ name: 'history', symbol: "A'B" }, /invalid symbol 'A'B'/);
    usage({ name: 'anomalies', threshold: '-1' }, /--threshold/);
    usage({ name: 'latest', from: '2026-13-01' }, /--from/);
    usage({ name: 'latest', from: '2026-11-22', to: '2026-11-01' }, /after --to/);
    usage({ name: 'latest', since: '1d', from: '2026-11-01' }, /either --since or --from/);
    usage({ name: 'sql', sql: 'SELECT 1', file: 'q.sql' }, /not both/);
    usage({ name: 'sql', file: '/nonexistent/q.sql' }, /cannot read --file/);
  });
});
