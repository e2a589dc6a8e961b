/**
 * `query` makes the engine see every stored record before it runs (Target.coverLake): what was
 * widened is said on stderr, and a refusal to widen never stops the query.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runQuery } from '../../../src/commands/query/run.ts';
import type { QueryResult, QueryRunner } from '../../../src/query/runner.ts';
import { createCaptureIO } from '../../../src/ui/io.ts';

const result: QueryResult = {
  columns: [{ name: 'n', type: 'bigint', kind: 'number' }],
  rows: [[1]],
  rowCount: 1,
  stats: { engine: 'athena', runTimeMs: 5, bytesScanned: 0 },
};

function runner(order: string[]): QueryRunner {
  return {
    run: async (_sql, options) => {
      order.push('query');
      if (!options.onRows) return result;
      await options.onRows(result.columns, result.rows);
      return { ...result, rows: [] };
    },
  };
}

describe('query: the lake covered before the query runs', () => {
  const plan = { sql: 'SELECT 1', format: 'table' as const };

  it('widens first, and says what it widened', async () => {
    const order: string[] = [];
    const capture = createCaptureIO();
    const code = await runQuery(plan, {
      io: capture.io,
      signal: new AbortController().signal,
      createRunner: async () => runner(order),
      coverLake: async () => {
        order.push('cover');
        return ['stock_data_raw_monthly: partition projection widened from 2026-11 to 2019-03, so Athena sees it'];
      },
    });
    assert.equal(code, 0);
    assert.deepEqual(order, ['cover', 'query']);
    assert.match(capture.stderr(), /^stock_data_raw_monthly: partition projection widened from 2026-11 to 2019-03/);
  });

  it('an identity that may not widen is warned on one line, and the query still runs', async () => {
    const order: string[] = [];
    const capture = createCaptureIO();
    const denied = Object.assign(new Error('User is not authorized to perform: glue:UpdateTable'), {
      name: 'AccessDeniedException',
    });
    const code = await runQuery(plan, {
      io: capture.io,
      signal: new AbortController().signal,
      createRunner: async () => runner(order),
      coverLake: async () => {
        throw denied;
      },
    });
    assert.equal(code, 0);
    assert.deepEqual(order, ['query']);
    const warning = capture.stderr().split('\n')[0] ?? '';
    assert.match(
      warning,
      /^warning: .*older than its tables project.*glue:UpdateTable.*`stockpipe setup` widens them$/,
    );
  });

  it('--json keeps stderr clean', async () => {
    const capture = createCaptureIO({ json: true });
    const code = await runQuery(
      { ...plan, format: 'json' },
      {
        io: capture.io,
        signal: new AbortController().signal,
        createRunner: async () => runner([]),
        coverLake: async () => ['stock_data_raw: partition projection widened from 2026-11-22 to 2026-11-20'],
      },
    );
    assert.equal(code, 0);
    assert.equal(capture.stderr(), '');
    assert.deepEqual(JSON.parse(capture.stdout()), [{ n: 1 }]);
  });
});
