import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type StockEvent, validateEvent } from '../../src/core/event.ts';
import { LAKE_COLUMNS } from '../../src/core/lake.ts';
import { pipelineNames } from '../../src/core/names.ts';
import { GLUE_COLUMNS, glueTableInput, RAW_TABLES, type RawTable } from '../../src/pipeline/resources/glue.ts';
import { glueViewInput } from '../../src/pipeline/resources/glue-view.ts';
import { DuckDbQueryRunner } from '../../src/query/duckdb.ts';
import { buildNamedQuery, TUTORIAL_QUERIES } from '../../src/query/named.ts';
import { rowsAsObjects } from '../../src/query/runner.ts';
import { stockEvent } from '../helpers/lambda-events.ts';

const BUCKET = 'stockpipe-raw-000000000000-us-east-1';

function event(symbol: string, timestamp: string, price: number, previousClose: number, volume: number): StockEvent {
  const change = price - previousClose;
  return stockEvent({
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
  });
}

/** Writes one batch object the way the ingest handler's PutObject lands in s3rver's folder. */
function writeBatch(dir: string, dt: string, key: string, events: StockEvent[], extraLines: string[] = []) {
  writeObject(join(dir, BUCKET, 'raw', `dt=${dt}`), key, events, extraLines);
}

/** The same for an object of older records, written by month (raw-months/month=YYYY-MM/). */
function writeMonthBatch(dir: string, month: string, key: string, events: StockEvent[]) {
  writeObject(join(dir, BUCKET, 'raw-months', `month=${month}`), key, events, []);
}

function writeObject(folder: string, key: string, events: StockEvent[], extraLines: string[]) {
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
    const everySymbol = rowsAsObjects(await runner.run(buildNamedQuery('top-movers', { range }), {}));
    assert.deepEqual(
      everySymbol.map((row) => [row.symbol, row.change]),
      [
        ['TSLA', -20],
        ['AAPL', 10],
        ['MSFT', -1],
      ],
      'one row per symbol: its largest move (AAPL +10, not also its +1)',
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

describe('one definition of the lake: contract, Glue table and DuckDB view agree', () => {
  let dir: string;
  // Injected clock: the projection's end is "today + 1 day" at this instant.
  const now = Date.parse('2026-11-22T12:00:00.000Z');
  let runner: DuckDbQueryRunner;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stockpipe-lake-def-'));
    runner = new DuckDbQueryRunner({ s3Directory: dir, bucket: BUCKET, now: () => now });
    // Replayed history from before 2020, today, a slightly-future record (tomorrow) and one beyond the range.
    writeBatch(dir, '2015-01-02', 'shard-0-1', [event('AAPL', '2015-01-02T20:00:00.000Z', 109.33, 110.38, 53204626)]);
    writeBatch(dir, '2017-12-29', 'shard-0-2', [event('AAPL', '2017-12-29T20:00:00.000Z', 169.23, 171.08, 25999922)]);
    writeBatch(dir, '2026-11-22', 'shard-0-3', [event('AAPL', '2026-11-22T15:00:00.000Z', 191, 190, 300)]);
    writeBatch(dir, '2026-11-23', 'shard-0-4', [event('AAPL', '2026-11-23T00:30:00.000Z', 192, 191, 10)]);
    writeBatch(dir, '2026-11-25', 'shard-0-5', [event('AAPL', '2026-11-25T15:00:00.000Z', 999, 191, 10)]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the contract’s fields, Glue’s columns and DuckDB’s columns are the same list, in order', async () => {
    const stored = validateEvent({
      event_id: 'e',
      symbol: 'A',
      timestamp: '2026-11-22T14:30:00.000Z',
      price: 1,
      source: 'external',
    });
    assert.ok(stored.ok);
    const contract = Object.keys(stored.event);
    assert.deepEqual(
      LAKE_COLUMNS.map((column) => column.name),
      contract,
    );
    const ctx = { name: 'stockpipe', buckets: { raw: BUCKET, results: 'r' }, names: pipelineNames('stockpipe') };
    const table = glueTableInput(ctx, RAW_TABLES[0] as RawTable, '2026-11-20');
    assert.equal(table.Name, 'stock_data_raw');
    assert.deepEqual(
      table.StorageDescriptor?.Columns?.map((column) => column.Name),
      contract,
    );
    assert.deepEqual(table.StorageDescriptor?.Columns, GLUE_COLUMNS);
    assert.deepEqual(table.PartitionKeys, [{ Name: 'dt', Type: 'string' }]);
    assert.equal(table.Parameters?.['projection.dt.range'], '2026-11-20,NOW+1DAYS');

    const described = rowsAsObjects(await runner.run('DESCRIBE stock_data_table', {}));
    assert.deepEqual(
      described.map((row) => [row.column_name, row.column_type]),
      [...LAKE_COLUMNS.map((column) => [column.name, column.duckdb]), ['dt', 'VARCHAR']],
    );
    // The Athena view queries name has the same columns as the local view: the contract's, then dt.
    const view = glueViewInput(ctx);
    assert.equal(view.Name, 'stock_data_table');
    assert.deepEqual(
      view.StorageDescriptor?.Columns?.map((column) => column.Name),
      described.map((row) => row.column_name),
    );
  });

  it('a replay of 2015–2017 is returned by a named query; tomorrow is in range, later dates are not (as on Athena)', async () => {
    const history = rowsAsObjects(
      await runner.run(
        buildNamedQuery('history', { range: { from: '2015-01-01', to: '2017-12-31' }, symbol: 'AAPL' }),
        {},
      ),
    );
    assert.deepEqual(
      history.map((row) => [row.timestamp, row.price]),
      [
        ['2015-01-02T20:00:00.000Z', 109.33],
        ['2017-12-29T20:00:00.000Z', 169.23],
      ],
    );
    const all = rowsAsObjects(await runner.run('SELECT dt FROM stock_data_table ORDER BY dt', {}));
    assert.deepEqual(
      all.map((row) => row.dt),
      ['2015-01-02', '2017-12-29', '2026-11-22', '2026-11-23'],
    );
  });
});

describe('one observation, one row: the lake holding an observation twice is read once', () => {
  let dir: string;
  let runner: DuckDbQueryRunner;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stockpipe-lake-once-'));
    runner = new DuckDbQueryRunner({ s3Directory: dir, bucket: BUCKET, now: () => Date.parse('2026-11-22T16:00:00Z') });
    // A producer re-sent AAPL@15:00 with a new price in a later batch (a later sequence number).
    writeBatch(dir, '2026-11-22', 'shardId-000000000000-49650000000000000000000000000000000000000000000000000100', [
      event('AAPL', '2026-11-22T15:00:00.000Z', 190, 180, 100),
      event('MSFT', '2026-11-22T15:00:00.000Z', 400, 401, 50),
    ]);
    writeBatch(dir, '2026-11-22', 'shardId-000000000000-49650000000000000000000000000000000000000000000000000200', [
      event('AAPL', '2026-11-22T15:00:00.000Z', 191, 180, 300),
    ]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stock_data_table and the named queries count it once, with the later row’s values', async () => {
    const all = rowsAsObjects(await runner.run('SELECT symbol, price FROM stock_data_table ORDER BY symbol', {}));
    assert.deepEqual(
      all.map((row) => [row.symbol, row.price]),
      [
        ['AAPL', 191],
        ['MSFT', 400],
      ],
    );
    const range = { from: '2026-11-22', to: '2026-11-22' };
    const volume = rowsAsObjects(await runner.run(buildNamedQuery('avg-volume', { range }), {}));
    assert.deepEqual(
      volume.find((row) => row.symbol === 'AAPL'),
      { symbol: 'AAPL', avg_volume: 300, observations: 1 },
    );
  });
});

describe('the lake’s two folders: fresh records by date, older ones by month', () => {
  let dir: string;
  let runner: DuckDbQueryRunner;
  const sequence = (n: number) => `shardId-000000000000-${String(n).padStart(56, '0')}`;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stockpipe-lake-months-'));
    runner = new DuckDbQueryRunner({ s3Directory: dir, bucket: BUCKET, now: () => Date.parse('2026-11-22T16:00:00Z') });
    // AAPL@11-20 written fresh (by date), then replayed by month in a later batch: the replay wins.
    writeBatch(dir, '2026-11-20', sequence(100), [event('AAPL', '2026-11-20T15:00:00.000Z', 150, 100, 10)]);
    writeMonthBatch(dir, '2026-11', sequence(200), [
      event('AAPL', '2026-11-03T15:00:00.000Z', 140, 139, 20),
      event('AAPL', '2026-11-20T15:00:00.000Z', 151, 100, 11),
    ]);
    writeMonthBatch(dir, '2015-01', sequence(300), [event('MSFT', '2015-01-02T20:00:00.000Z', 46.76, 46.45, 27)]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads both, each observation once, with its date as dt', async () => {
    const all = rowsAsObjects(
      await runner.run('SELECT symbol, "timestamp", price, dt FROM stock_data_table ORDER BY dt', {}),
    );
    assert.deepEqual(
      all.map((row) => [row.symbol, row.timestamp, row.price, row.dt]),
      [
        ['MSFT', '2015-01-02T20:00:00.000Z', 46.76, '2015-01-02'],
        ['AAPL', '2026-11-03T15:00:00.000Z', 140, '2026-11-03'],
        ['AAPL', '2026-11-20T15:00:00.000Z', 151, '2026-11-20'],
      ],
    );
    const history = rowsAsObjects(
      await runner.run(
        buildNamedQuery('history', { range: { from: '2015-01-01', to: '2015-12-31' }, symbol: 'MSFT' }),
        {},
      ),
    );
    assert.deepEqual(
      history.map((row) => [row.timestamp, row.price]),
      [['2015-01-02T20:00:00.000Z', 46.76]],
    );
  });
});
