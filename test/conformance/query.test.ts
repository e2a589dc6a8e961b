import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CreateWorkGroupCommand, GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand } from '@aws-sdk/client-glue';
import type { AwsClients } from '../../src/aws/clients.ts';
import { pipelineNames } from '../../src/core/names.ts';
import { TUTORIAL_QUERIES } from '../../src/query/named.ts';
import { runCli } from '../helpers/cli.ts';
import { type Moto, motoSkipReason, startMoto } from '../helpers/moto.ts';
import { waitFor } from '../helpers/wait.ts';
import { type AthenaProxy, startAthenaProxy } from './support/athena-proxy.ts';

type Column = [name: string, type: string];

/** moto's canned-result body: the first row repeats the column labels, as Athena does for a SELECT. */
function cannedResult(columns: Column[], rows: (string | null)[][]) {
  const row = (values: (string | null)[]) => ({
    Data: values.map((value) => (value === null ? {} : { VarCharValue: value })),
  });
  return {
    rows: [row(columns.map(([name]) => name)), ...rows.map(row)],
    column_info: columns.map(([name, type]) => ({
      CatalogName: 'hive',
      SchemaName: '',
      TableName: '',
      Name: name,
      Label: name,
      Type: type,
      Precision: 0,
      Scale: 0,
      Nullable: 'UNKNOWN',
      CaseSensitive: false,
    })),
  };
}

const MOVERS: Column[] = [
  ['symbol', 'varchar'],
  ['timestamp', 'varchar'],
  ['price', 'double'],
  ['previous_close', 'double'],
  ['change', 'double'],
  ['change_percent', 'double'],
];
const MOVER_ROWS = [
  ['NVDA', '2026-11-22T14:30:00.000Z', '141.5', '135.25', '6.25', '4.62'],
  ['TSLA', '2026-11-22T14:31:00.000Z', '230.1', '240.6', '-10.5', '-4.36'],
  ['AAPL, Inc', '2026-11-22T14:32:00.000Z', '190', '189', '1', null],
];

describe('stockpipe query against moto Athena', { skip: motoSkipReason() }, () => {
  let moto: Moto;
  let proxy: AthenaProxy;
  let clients: AwsClients;
  let env: Record<string, string>;

  before(async () => {
    moto = await startMoto();
    proxy = await startAthenaProxy(moto.endpoint);
    clients = moto.clients();
    env = { ...moto.env, AWS_ENDPOINT_URL_ATHENA: proxy.endpoint };
  });
  after(async () => {
    await clients.destroy();
    await proxy.close();
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    proxy.patchExecution(undefined);
    proxy.resultCalls.length = 0;
    await (await clients.get('athena')).send(
      new CreateWorkGroupCommand({
        Name: pipelineNames('stockpipe').workgroup,
        Configuration: { ResultConfiguration: { OutputLocation: 's3://stockpipe-athena-results/' } },
      }),
    );
    await (await clients.get('glue')).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'stockpipe' } }));
  });

  async function executions() {
    const athena = await clients.get('athena');
    const { QueryExecutionIds = [] } = await athena.send(
      new ListQueryExecutionsCommand({ WorkGroup: pipelineNames('stockpipe').workgroup }),
    );
    return Promise.all(
      QueryExecutionIds.map(
        async (id) => (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution,
      ),
    );
  }

  it('runs a named query in the workgroup and database, with its dt predicate, and renders a table', async () => {
    await moto.queueAthenaResults({ results: [cannedResult(MOVERS, MOVER_ROWS)] });
    const { code, stdout, stderr } = await runCli(
      ['query', 'top-movers', '--from', '2026-11-20', '--to', '2026-11-22'],
      {
        env,
      },
    );
    assert.equal(code, 0, stderr);
    const [execution] = await executions();
    assert.equal(execution?.WorkGroup, pipelineNames('stockpipe').workgroup);
    assert.equal(execution?.QueryExecutionContext?.Database, 'stockpipe');
    assert.match(execution?.Query ?? '', /dt BETWEEN '2026-11-20' AND '2026-11-22'/);
    assert.match(execution?.Query ?? '', /LIMIT 5$/);
    // stock_data_table is the view holding each observation once: the query reads it directly.
    assert.match(execution?.Query ?? '', /FROM stock_data_table\n/);
    assert.doesNotMatch(execution?.Query ?? '', /\$path|observation_rank/);

    const lines = stdout.split('\n');
    const header = lines.find((line) => line.includes('symbol')) ?? '';
    assert.match(header, /symbol.*timestamp.*price.*previous_close.*change.*change_percent/);
    // Numbers are right-aligned: padded on the left inside their cell; text is left-aligned.
    const tsla = lines.find((line) => line.includes('TSLA')) ?? '';
    const cells = tsla.split('│').slice(1, -1);
    assert.equal(cells.length, 6);
    assert.match(cells[0] ?? '', /^ TSLA +$/);
    assert.match(cells[3] ?? '', /^ {2,}240\.60 $/, "prices with the column's two decimals");
    assert.match(cells[4] ?? '', /^ +-10\.50 $/);
    assert.ok(!stdout.includes('change_percent │\n│ change_percent'), 'header row not repeated as data');
    assert.equal(lines.filter((line) => line.includes('symbol')).length, 1, 'the header row is not a data row');
    assert.match(stderr, /3 rows · 0 B scanned · \$0\.00 · .* · query [0-9a-f-]+/);
  });

  it('--format csv prints RFC 4180 CSV with NULL as empty', async () => {
    await moto.queueAthenaResults({ results: [cannedResult(MOVERS, MOVER_ROWS)] });
    const { code, stdout, stderr } = await runCli(['query', 'top-movers', '--format', 'csv'], { env });
    assert.equal(code, 0, stderr);
    assert.equal(
      stdout,
      [
        'symbol,timestamp,price,previous_close,change,change_percent',
        'NVDA,2026-11-22T14:30:00.000Z,141.5,135.25,6.25,4.62',
        'TSLA,2026-11-22T14:31:00.000Z,230.1,240.6,-10.5,-4.36',
        '"AAPL, Inc",2026-11-22T14:32:00.000Z,190,189,1,',
        '',
      ].join('\r\n'),
    );
  });

  it('--format json is an array of objects keyed by column, with typed values', async () => {
    const columns: Column[] = [
      ['symbol', 'varchar'],
      ['avg_volume', 'double'],
      ['observations', 'bigint'],
      ['anomaly', 'boolean'],
      ['dt', 'varchar'],
    ];
    await moto.queueAthenaResults({
      results: [
        cannedResult(columns, [
          ['AAPL', '1234567.5', '42', 'true', '2026-11-22'],
          ['MSFT', null, '7', 'false', '2026-11-22'],
        ]),
      ],
    });
    for (const argv of [
      ['query', 'avg-volume', '--format', 'json'],
      ['query', 'avg-volume', '--json'],
    ]) {
      const { code, stdout, stderr } = await runCli(argv, { env });
      assert.equal(code, 0, stderr);
      assert.deepEqual(JSON.parse(stdout), [
        { symbol: 'AAPL', avg_volume: 1234567.5, observations: 42, anomaly: true, dt: '2026-11-22' },
        { symbol: 'MSFT', avg_volume: null, observations: 7, anomaly: false, dt: '2026-11-22' },
      ]);
      if (argv.includes('--json')) assert.equal(stderr, '', '--json: no footer');
      else assert.match(stderr, /2 rows · 0 B scanned/);
      await moto.queueAthenaResults({
        results: [
          cannedResult(columns, [
            ['AAPL', '1234567.5', '42', 'true', '2026-11-22'],
            ['MSFT', null, '7', 'false', '2026-11-22'],
          ]),
        ],
      });
    }
  });

  it('reads every page of a result spanning more than one page', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => [`S${i}`, String(i)]);
    await moto.queueAthenaResults({
      results: [
        cannedResult(
          [
            ['symbol', 'varchar'],
            ['n', 'integer'],
          ],
          rows,
        ),
      ],
    });
    const { code, stdout, stderr } = await runCli(
      ['query', 'sql', 'SELECT symbol, n FROM stock_data_table', '--json'],
      {
        env,
      },
    );
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout) as { symbol: string; n: number }[];
    assert.equal(result.length, 2500);
    assert.deepEqual(result[0], { symbol: 'S0', n: 0 });
    assert.deepEqual(result[999], { symbol: 'S999', n: 999 });
    assert.deepEqual(result[2499], { symbol: 'S2499', n: 2499 });
    assert.deepEqual(
      result.map((row) => row.n),
      rows.map((_, i) => i),
      'in order, none lost or repeated',
    );
    assert.equal(proxy.resultCalls.length, 3, 'three pages of at most 1000 rows (header included)');
    assert.deepEqual(
      proxy.resultCalls.map((call) => call.nextToken),
      [undefined, '1000', '2000'],
    );
  });

  it('a failed query prints Athena’s reason on one line and exits 1', async () => {
    proxy.patchExecution({
      state: 'FAILED',
      reason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved\nor requester is not authorized",
    });
    const { code, stdout, stderr } = await runCli(['query', 'sql', 'SELECT nope FROM stock_data_table'], { env });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      "error: query failed: COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved or requester is not authorized\n",
    );
  });

  it('shows the data scanned and its cost at $5/TB', async () => {
    await moto.queueAthenaResults({ results: [cannedResult(MOVERS, MOVER_ROWS)] });
    proxy.patchExecution({ bytesScanned: 1.5 * 2 ** 30 });
    const { code, stderr } = await runCli(['query', 'latest'], { env });
    assert.equal(code, 0, stderr);
    // 1.5 GiB / 1 TiB × $5 = $0.00732…
    assert.match(stderr, /3 rows · 1\.50 GB scanned · \$0\.0073 · /);
  });

  it('runs the tutorial’s four queries verbatim against stock_data_table', async () => {
    for (const sql of Object.values(TUTORIAL_QUERIES)) {
      const { code, stderr } = await runCli(['query', 'sql', sql], { env });
      assert.equal(code, 0, stderr);
    }
    const dir = mkdtempSync(join(tmpdir(), 'stockpipe-sql-'));
    writeFileSync(join(dir, 'q.sql'), `${TUTORIAL_QUERIES.bigMoves}\n`);
    const fromFile = await runCli(['query', 'sql', '--file', 'q.sql'], { env, cwd: dir });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const sent = (await executions()).map((execution) => execution?.Query);
    // Sent as printed, less the closing `;` Athena's parser refuses.
    const asSent = (sql: string) => sql.replace(/;$/, '');
    assert.deepEqual(sent.sort(), [...Object.values(TUTORIAL_QUERIES), TUTORIAL_QUERIES.bigMoves].map(asSent).sort());
  });

  it('Ctrl+C stops the running query with StopQueryExecution', async () => {
    // Keep the execution QUEUED for a long while, so the query is still running when we abort.
    await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
      method: 'POST',
      body: JSON.stringify({ model_name: 'athena::execution', transition: { progression: 'manual', times: 1000 } }),
    });
    try {
      const controller = new AbortController();
      const running = runCli(['query', 'top-movers'], { env, signal: controller.signal });
      await waitFor(async () => (await executions()).length > 0, 'the query to start');
      controller.abort('SIGINT');
      const { code, stderr } = await running;
      assert.equal(code, 130);
      assert.match(stderr, /query [0-9a-f-]+ cancelled \(StopQueryExecution sent\)/);
      const [execution] = await executions();
      assert.equal(execution?.Status?.State, 'CANCELLED');
    } finally {
      await fetch(`${moto.endpoint}/moto-api/state-manager/unset-transition`, {
        method: 'POST',
        body: JSON.stringify({ model_name: 'athena::execution' }),
      });
    }
  });
});
