import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { StockEvent } from '../../src/core/event.ts';
import { DuckDbQueryRunner } from '../../src/query/duckdb.ts';
import { buildNamedQuery, TUTORIAL_QUERIES } from '../../src/query/named.ts';
import { rowsAsObjects } from '../../src/query/runner.ts';

const BUCKET = 'stockpipe-raw-000000000000-us-east-1';

function event(symbol: string, timestamp: string, price: number, previousClose: number, volume: number): StockEvent {
  const change = price - previousClose;
  return {
    event_id: `${symbol}-${timestamp}`,
    symbol,
    timestamp,
    price,
    open: null,
    high: null,
    low: null,
    previous_close: previousClose,
    change,
    change_percent: Number(((change / previousClose) * 100).toFixed(2)),
    volume,
    currency: 'USD',
    market_state: 'REGULAR',
    source: 'synthetic',
  };
}

/** Writes one batch object the way the ingest handler's PutObject lands in s3rver's folder. */
function writeBatch(dir: string, dt: string, key: string, events: StockEvent[], extraLines: string[] = []) {
  const folder = join(dir, BUCKET, 'raw', `dt=${dt}`);
  mkdirSync(folder, { recursive: true });
  const body = [...events.map((e) => JSON.stringify(e)), ...extraLines].join('\n');
  writeFileSync(join(folder, `${key}.json.gz._S3rver_object`), gzipSync(`${body}\n`));
  writeFileSync(join(folder, `${key}.json.gz._S3rver_metadata.json`), '{"content-type":"application/gzip"}');
}

describe('DuckDB runner over the local lake (s3rver layout)', () => {
  let dir: string;
  let runner: DuckDbQueryRunner;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stockpipe-lake-'));
    runner = new DuckDbQueryRunner({ s3Directory: dir, bucket: BUCKET });
    writeBatch(dir, '2026-11-20', 'shard-0-100', [event('AAPL', '2026-11-20T15:00:00.000Z', 150, 100, 10)]);
    writeBatch(
      dir,
      '2026-11-21',
      'shard-0-200',
      [
        event('AAPL', '2026-11-21T15:00:00.000Z', 190, 180, 100),
        event('MSFT', '2026-11-21T15:00:00.000Z', 400, 401, 50),
      ],
      ['{not json'],
    );
    writeBatch(dir, '2026-11-22', 'shard-1-300', [
      event('AAPL', '2026-11-22T15:00:00.000Z', 191, 190, 300),
      event('TSLA', '2026-11-22T15:00:00.000Z', 230, 250, 70),
    ]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const range = { from: '2026-11-21', to: '2026-11-22' };

  it('named queries read only their dt partitions', async () => {
    const latest = rowsAsObjects(await runner.run(buildNamedQuery('latest', { range }), {}));
    assert.deepEqual(
      latest.map((row) => [row.symbol, row.price]),
      [
        ['AAPL', 191],
        ['MSFT', 400],
        ['TSLA', 230],
      ],
    );
    const movers = rowsAsObjects(await runner.run(buildNamedQuery('top-movers', { range, limit: 2 }), {}));
    assert.deepEqual(
      movers.map((row) => [row.symbol, row.change]),
      [
        ['TSLA', -20],
        ['AAPL', 10],
      ],
      'the 2026-11-20 move of +50 is outside the range',
    );
    const volume = await runner.run(buildNamedQuery('avg-volume', { range }), {});
    assert.deepEqual(
      volume.columns.map((c) => [c.name, c.kind]),
      [
        ['symbol', 'string'],
        ['avg_volume', 'number'],
        ['observations', 'number'],
      ],
    );
    assert.deepEqual(rowsAsObjects(volume)[0], { symbol: 'AAPL', avg_volume: 200, observations: 2 });
    const anomalies = rowsAsObjects(await runner.run(buildNamedQuery('anomalies', { range, threshold: 5 }), {}));
    assert.deepEqual(
      anomalies.map((row) => row.symbol),
      ['TSLA', 'AAPL'],
    );
    const history = rowsAsObjects(
      await runner.run(
        buildNamedQuery('history', { range: { from: '2026-11-20', to: '2026-11-22' }, symbol: 'AAPL' }),
        {},
      ),
    );
    assert.deepEqual(
      history.map((row) => row.price),
      [150, 190, 191],
    );
  });

  it('runs the tutorial’s four queries verbatim', async () => {
    const sample = await runner.run(TUTORIAL_QUERIES.sample, {});
    assert.equal(sample.rows.length, 5);
    assert.deepEqual(
      sample.columns.map((c) => c.name),
      [
        'event_id',
        'symbol',
        'timestamp',
        'price',
        'open',
        'high',
        'low',
        'previous_close',
        'change',
        'change_percent',
        'volume',
        'currency',
        'market_state',
        'source',
        'dt',
      ],
    );
    const top = rowsAsObjects(await runner.run(TUTORIAL_QUERIES.topChanges, {}));
    assert.deepEqual(top[0], { symbol: 'AAPL', price: 150, previous_close: 100, price_change: 50 });
    const avg = rowsAsObjects(await runner.run(TUTORIAL_QUERIES.avgVolume, {}));
    assert.equal(avg.find((row) => row.symbol === 'AAPL')?.avg_volume, (10 + 100 + 300) / 3);
    const big = rowsAsObjects(await runner.run(TUTORIAL_QUERIES.bigMoves, {}));
    assert.deepEqual(big.map((row) => row.symbol).sort(), ['AAPL', 'AAPL', 'TSLA']);
  });

  it('an empty lake is an empty table; a missing bucket and bad SQL fail on one line', async () => {
    const s3Directory = mkdtempSync(join(tmpdir(), 'stockpipe-empty-'));
    const empty = new DuckDbQueryRunner({ s3Directory, bucket: BUCKET });
    await assert.rejects(empty.run(buildNamedQuery('latest', { range }), {}), {
      name: 'StockpipeError',
      message: `the lake bucket ${BUCKET} does not exist in the local target: run \`stockpipe setup --target local\` first`,
    });
    mkdirSync(join(s3Directory, BUCKET));
    const result = await empty.run(buildNamedQuery('latest', { range }), {});
    assert.equal(result.rows.length, 0);
    rmSync(s3Directory, { recursive: true, force: true });
    await assert.rejects(runner.run('SELECT nope FROM stock_data_table', {}), (error: Error) => {
      assert.equal(error.name, 'StockpipeError');
      assert.match(error.message, /^query failed: .*nope/);
      assert.ok(!error.message.includes('\n'));
      return true;
    });
  });

  describe('sandbox (issue 16: local SQL could read and write any file)', () => {
    const refused = async (sql: string, pattern: RegExp) => {
      await assert.rejects(runner.run(sql, {}), (error: Error) => {
        assert.match(error.message, pattern);
        return true;
      });
    };

    it('reads no file outside the lake', async () => {
      const outside = join(dir, 'secret.csv');
      writeFileSync(outside, 'a,b\n1,2\n');
      await refused(`SELECT * FROM read_csv('${outside}')`, /disabled by configuration|Permission/);
      await refused(
        `SELECT * FROM read_text('${join(dir, BUCKET, 'raw', '..', '..', 'secret.csv')}')`,
        /Permission|disabled/,
      );
      await refused(`SELECT * FROM glob('${dir}/*')`, /Permission|disabled/);
    });

    it('runs one read-only statement: no COPY, ATTACH, INSTALL, SET or second statement', async () => {
      await refused(`COPY (SELECT 1) TO '${join(dir, BUCKET, 'raw', 'out.csv')}'`, /COPY|only reads/);
      await refused(`ATTACH '${join(dir, 'other.db')}'`, /ATTACH|only reads/);
      await refused('INSTALL httpfs', /only reads/);
      await refused('SET enable_external_access = true', /only reads/);
      await refused('SELECT 1; SELECT 2', /2 statements/);
    });

    it('still reads the lake, with WITH and EXPLAIN', async () => {
      const result = await runner.run(
        'WITH t AS (SELECT symbol FROM stock_data_table) SELECT count(*) AS n FROM t',
        {},
      );
      assert.equal(rowsAsObjects(result)[0]?.n, 5);
      await runner.run('EXPLAIN SELECT * FROM stock_data_table', {});
    });
  });
});
