/**
 * The Athena view's SQL, exactly as it is stored in Glue (decoded from ViewOriginalText), run by
 * DuckDB over stand-ins for the two raw tables (by date, by month): the same columns plus
 * `"$path"`, the pseudo-column Athena gives every row of an S3 table. The statement is plain SQL both dialects read alike
 * (a window with row_number), so this checks its meaning: every observation once, the later
 * object's copy winning, nothing else dropped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { LAKE_COLUMNS, LAKE_VIEW_COLUMNS } from '../../src/core/lake.ts';
import { pipelineNames } from '../../src/core/names.ts';
import { decodePrestoView } from '../../src/pipeline/presto-view.ts';
import { glueViewInput } from '../../src/pipeline/resources/glue-view.ts';
import { buildNamedQuery } from '../../src/query/named.ts';

type Row = { symbol: string; timestamp: string; price: number; path: string };

const bucket = 's3://demo-raw-111122223333-eu-west-1';
const key = (dt: string, sequence: string) => `${bucket}/raw/dt=${dt}/shardId-000000000000-${sequence}.json.gz`;
const monthKey = (month: string, sequence: string) =>
  `${bucket}/raw-months/month=${month}/shardId-000000000000-${sequence}.json.gz`;

const ROWS: Row[] = [
  // AAPL@15:00 written twice: a producer's re-send lands in a later batch (a greater sequence).
  { symbol: 'AAPL', timestamp: '2026-11-22T15:00:00.000Z', price: 190, path: key('2026-11-22', '100') },
  { symbol: 'AAPL', timestamp: '2026-11-22T15:00:00.000Z', price: 191, path: key('2026-11-22', '200') },
  // Written three times, the latest object listed first.
  { symbol: 'MSFT', timestamp: '2026-11-22T15:00:00.000Z', price: 402, path: key('2026-11-22', '300') },
  { symbol: 'MSFT', timestamp: '2026-11-22T15:00:00.000Z', price: 400, path: key('2026-11-22', '100') },
  { symbol: 'MSFT', timestamp: '2026-11-22T15:00:00.000Z', price: 401, path: key('2026-11-22', '200') },
  // Distinct observations that share one part of the identity: all kept.
  { symbol: 'AAPL', timestamp: '2026-11-22T15:01:00.000Z', price: 192, path: key('2026-11-22', '100') },
  { symbol: 'NVDA', timestamp: '2026-11-22T15:00:00.000Z', price: 140, path: key('2026-11-22', '100') },
  { symbol: 'AAPL', timestamp: '2026-11-21T15:00:00.000Z', price: 180, path: key('2026-11-21', '050') },
];

/** Rows of the monthly table: older records, written by month (no dt column: it is the timestamp's date). */
const MONTH_ROWS: Row[] = [
  // Written by date when fresh (sequence 050 above), replayed later by month: the replay is the later write.
  { symbol: 'AAPL', timestamp: '2026-11-21T15:00:00.000Z', price: 181, path: monthKey('2026-11', '400') },
  // Replayed by month, then written again by date: a sequence lower than that write's loses.
  { symbol: 'MSFT', timestamp: '2026-11-22T15:00:00.000Z', price: 399, path: monthKey('2026-11', '250') },
  // History nobody else holds, twice in the monthly table.
  { symbol: 'IBM', timestamp: '2020-03-02T00:00:00.000Z', price: 110, path: monthKey('2020-03', '100') },
  { symbol: 'IBM', timestamp: '2020-03-02T00:00:00.000Z', price: 111, path: monthKey('2020-03', '500') },
  { symbol: 'IBM', timestamp: '2020-03-03T00:00:00.000Z', price: 112, path: monthKey('2020-03', '100') },
];

describe('the Athena view’s SQL, run over rows holding observations twice', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  let viewSql: string;

  before(async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    const names = pipelineNames('demo');
    const definition = decodePrestoView(glueViewInput({ name: 'demo', names }).ViewOriginalText);
    viewSql = String(definition?.originalSql);
    const columns = LAKE_VIEW_COLUMNS.map((column) => `"${column.name}" ${column.duckdb}`).join(', ');
    await connection.run(`CREATE TABLE "${names.glueRawTable}" (${columns}, "$path" VARCHAR)`);
    for (const row of ROWS) {
      await connection.run(
        `INSERT INTO "${names.glueRawTable}" ("event_id", "symbol", "timestamp", "price", "volume", "dt", "$path") VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [`${row.symbol}-${row.price}`, row.symbol, row.timestamp, row.price, 1, row.timestamp.slice(0, 10), row.path],
      );
    }
    const monthColumns = LAKE_COLUMNS.map((column) => `"${column.name}" ${column.duckdb}`).join(', ');
    await connection.run(
      `CREATE TABLE "${names.glueRawMonthlyTable}" (${monthColumns}, "month" VARCHAR, "$path" VARCHAR)`,
    );
    for (const row of MONTH_ROWS) {
      await connection.run(
        `INSERT INTO "${names.glueRawMonthlyTable}" ("event_id", "symbol", "timestamp", "price", "volume", "month", "$path") VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [`${row.symbol}-${row.price}`, row.symbol, row.timestamp, row.price, 1, row.timestamp.slice(0, 7), row.path],
      );
    }
    // A malformed line, as the OpenX SerDe (ignore.malformed.json) reads it: a row of NULLs, in
    // either table. It is no observation: the view drops it.
    await connection.run(
      `INSERT INTO "${names.glueRawTable}" ("dt", "$path") VALUES ('2026-11-22', '${key('2026-11-22', '900')}')`,
    );
    await connection.run(
      `INSERT INTO "${names.glueRawMonthlyTable}" ("month", "$path") VALUES ('2020-03', '${monthKey('2020-03', '900')}')`,
    );
    // The compacted twins (stockpipe compact), here a copy of one observation in each that ranks as
    // the raw object it came from: the winner's copy changes nothing, a loser's copy stays a loser.
    await connection.run(
      `CREATE TABLE "${names.glueCompactedTable}" (${monthColumns}, "object_name" VARCHAR, "dt" VARCHAR)`,
    );
    await connection.run(
      `CREATE TABLE "${names.glueCompactedMonthlyTable}" (${monthColumns}, "object_name" VARCHAR, "month" VARCHAR)`,
    );
    await connection.run(
      `INSERT INTO "${names.glueCompactedMonthlyTable}" ("event_id", "symbol", "timestamp", "price", "volume", "object_name", "month") VALUES ('IBM-111', 'IBM', '2020-03-02T00:00:00.000Z', 111, 1, '${monthKey('2020-03', '500').split('/').at(-1)}', '2020-03'), ('IBM-110', 'IBM', '2020-03-02T00:00:00.000Z', 110, 1, '${monthKey('2020-03', '100').split('/').at(-1)}', '2020-03')`,
    );
    // What Athena does with a view: stock_data_table stands for its SQL.
    await connection.run(`CREATE VIEW stock_data_table AS ${viewSql}`);
  });
  after(() => {
    connection?.closeSync();
    instance?.closeSync();
  });

  async function rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  it('returns each observation once, the copy from the greatest object name winning, in either folder', async () => {
    const found = await rows(
      'SELECT symbol, "timestamp", price, dt FROM stock_data_table ORDER BY symbol, "timestamp"',
    );
    assert.deepEqual(
      found.map((row) => [row.symbol, row.timestamp, row.price, row.dt]),
      [
        ['AAPL', '2026-11-21T15:00:00.000Z', 181, '2026-11-21'],
        ['AAPL', '2026-11-22T15:00:00.000Z', 191, '2026-11-22'],
        ['AAPL', '2026-11-22T15:01:00.000Z', 192, '2026-11-22'],
        ['IBM', '2020-03-02T00:00:00.000Z', 111, '2020-03-02'],
        ['IBM', '2020-03-03T00:00:00.000Z', 112, '2020-03-03'],
        ['MSFT', '2026-11-22T15:00:00.000Z', 402, '2026-11-22'],
        ['NVDA', '2026-11-22T15:00:00.000Z', 140, '2026-11-22'],
      ],
    );
    const [count] = await rows('SELECT count(*) AS n FROM stock_data_table');
    assert.equal(Number(count?.n), 7, 'the raw tables hold 13 rows of 7 observations, and 2 malformed lines');
  });

  it('has exactly the view’s declared columns, in order (no rank, no $path)', async () => {
    const described = await rows('DESCRIBE stock_data_table');
    assert.deepEqual(
      described.map((row) => row.column_name),
      LAKE_VIEW_COLUMNS.map((column) => column.name),
    );
  });

  it('a named query over it counts once within its dt range', async () => {
    const range = { from: '2026-11-22', to: '2026-11-22' };
    const volume = await rows(buildNamedQuery('avg-volume', { range }));
    assert.deepEqual(Object.fromEntries(volume.map((row) => [row.symbol, Number(row.observations)])), {
      AAPL: 2,
      MSFT: 1,
      NVDA: 1,
    });
  });
});
