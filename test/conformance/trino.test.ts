/**
 * Athena's engine on our lake: Trino 476 (Athena engine 3 is Trino) with the Hive connector, given
 * the Glue raw tables and the Glue view exactly as setup builds them (the builders the Glue
 * resources use, turned into the file metastore's table files), over a lake written by the real
 * ingest code path (ingestBatch, into s3rver) — a replay sent twice, a live observation re-sent,
 * and objects holding malformed lines. Every named query and the tutorial's SQL, as `query` sends
 * them, must return DuckDB's rows (the local target's runner) on the same lake.
 *
 * The one liberty taken: open-source Trino lacks Athena's `MONTHS` projection unit
 * (trinodb/trino#22760), so the monthly table's `month` is projected here as the equivalent enum —
 * every month of the range setup gives it. Everything else is passed as setup writes it.
 *
 * Trino starts once for the file (its start-up time is reported as a diagnostic). Outside CI the
 * file skips when Trino is not installed (scripts/install-trino.sh); with CI=true it fails.
 */
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { TableInput } from '@aws-sdk/client-glue';
import { CreateBucketCommand, DeleteObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ingestBatch } from '../../lambdas/ingest/ingest.ts';
import type { AwsClients } from '../../src/aws/clients.ts';
import { awsCompactionLake } from '../../src/commands/compact/aws.ts';
import { type LakeWriter, localCompactionLake } from '../../src/commands/compact/local.ts';
import { parseCompactOptions } from '../../src/commands/compact/options.ts';
import { type CompactionLake, compactLake } from '../../src/commands/compact/run.ts';
import { planQuery } from '../../src/commands/query/plan.ts';
import type { StockEvent } from '../../src/core/event.ts';
import { projectionStart } from '../../src/core/lake.ts';
import { bucketNames, pipelineNames } from '../../src/core/names.ts';
import { onDemandTableKeys } from '../../src/core/tables.ts';
import { oldestStoredPartition } from '../../src/pipeline/lake-partitions.ts';
import {
  COMPACTED_TABLES,
  glueCompactedTableInput,
  glueTableInput,
  RAW_TABLES,
} from '../../src/pipeline/resources/glue.ts';
import { glueViewInput } from '../../src/pipeline/resources/glue-view.ts';
import type { ResourceContext } from '../../src/pipeline/types.ts';
import type { LakeObject } from '../../src/query/compaction.ts';
import { DuckDbQueryRunner } from '../../src/query/duckdb.ts';
import { TUTORIAL_QUERIES } from '../../src/query/named.ts';
import type { QueryRunner } from '../../src/query/runner.ts';
import { OBJECT_SUFFIX } from '../../src/query/s3rver-files.ts';
import { createCaptureIO } from '../../src/ui/io.ts';
import { type Emulators, startEmulators } from '../helpers/emulators.ts';
import { kinesisRecord, sequenceNumber, stockEvent } from '../helpers/lambda-events.ts';
import { startTrino, type Trino, trinoSkipReason, writeGlueTable, writeSchema } from './support/trino.ts';

/** The ingest function's clock, and the clock `query` plans with: a fixed day, never today. */
const NOW = new Date('2026-11-22T16:00:00.000Z');
const PIPELINE = 'stockpipe';
const names = pipelineNames(PIPELINE);
const buckets = bucketNames(PIPELINE, '000000000000', 'us-east-1');
const ctx = { name: PIPELINE, names, buckets } as unknown as ResourceContext;

const round2 = (value: number) => Math.round(value * 100) / 100;

function event(
  id: string,
  symbol: string,
  timestamp: string,
  price: number,
  previousClose: number | null,
  volume: number,
  source: StockEvent['source'],
): StockEvent {
  const change = previousClose === null ? null : round2(price - previousClose);
  return stockEvent({
    event_id: id,
    symbol,
    timestamp,
    price,
    open: null,
    high: null,
    low: null,
    previous_close: previousClose,
    change,
    change_percent: previousClose === null || change === null ? null : round2((change / previousClose) * 100),
    volume,
    market_state: source === 'replay' ? 'CLOSED' : 'REGULAR',
    source,
  });
}

/** Live ticks: four symbols, every 15 minutes of two days (yesterday and today), a spike or two. */
function liveEvents(): StockEvent[] {
  const events: StockEvent[] = [];
  const bases: Record<string, number> = { AAPL: 190, MSFT: 410, NVDA: 140, TSLA: 240 };
  for (const [s, [symbol, base]] of Object.entries(bases).entries()) {
    for (const day of ['2026-11-21', '2026-11-22']) {
      for (let i = 0; i < 20; i++) {
        const timestamp = new Date(Date.parse(`${day}T14:30:00.000Z`) + i * 900_000).toISOString();
        const move = ((i * 37 + s * 11) % 13) - 6; // -6 … 6, per mille
        const spike = i === 7 + s ? (s % 2 === 0 ? 70 : -60) : 0; // ±6–7 %: anomalies
        const price = round2(base * (1 + (move + spike) / 1000));
        events.push(
          event(`live-${symbol}-${day}-${i}`, symbol, timestamp, price, base, 1000 + i * 17 + s, 'synthetic'),
        );
      }
    }
  }
  return events;
}

/** Daily bars of three symbols, July to the 19th of November: history, written by month. */
function historyEvents(replay: string): StockEvent[] {
  const events: StockEvent[] = [];
  for (const [s, symbol] of ['AAPL', 'IBM', 'MSFT'].entries()) {
    let previous: number | null = null;
    for (let time = Date.parse('2026-07-01T20:00:00.000Z'); time <= Date.parse('2026-11-19T20:00:00.000Z'); ) {
      const day = new Date(time).getUTCDay();
      if (day !== 0 && day !== 6) {
        const n = events.length;
        const price = round2(100 + s * 50 + 20 * Math.sin(n * 1.7) + n / 100);
        const timestamp = new Date(time).toISOString();
        events.push(event(`${replay}-${symbol}-${n}`, symbol, timestamp, price, previous, 50_000 + n * 101, 'replay'));
        previous = price;
      }
      time += 86_400_000;
    }
  }
  return events;
}

const silent = { info() {}, warn() {}, error() {} };

/** Sends events through the ingest function's code, in batches of 100, with growing sequence numbers. */
async function ingest(
  events: readonly StockEvent[],
  deps: { documents: DynamoDBDocumentClient; s3: S3Client },
  counter: { n: number },
): Promise<void> {
  for (let start = 0; start < events.length; start += 100) {
    const records = events.slice(start, start + 100).map((payload) => kinesisRecord(payload, counter.n++));
    const { batchItemFailures, counts } = await ingestBatch(records, {
      config: { quotesTable: names.quotesTable, rawBucket: buckets.raw, anomalyThresholdPct: 5, ttlDays: 30 },
      documents: deps.documents,
      s3: deps.s3,
      log: silent,
      now: () => NOW,
    });
    assert.deepEqual(batchItemFailures, []);
    assert.equal(counts.stored, records.length);
  }
}

/** An object a foreign writer left with malformed lines among good ones (gzip NDJSON). */
function malformedBody(good: readonly StockEvent[]): Buffer {
  const [first, ...rest] = good.map((e) => JSON.stringify(e));
  const lines = [first, '{not json', '{"symbol": "GOOG", "price": 1', '', ...rest, 'plain text'];
  return gzipSync(`${lines.join('\n')}\n`);
}

/** The s3rver folder's objects laid out by key under Trino's `local:///` root. */
function mirrorLake(s3Directory: string, bucket: string, root: string): number {
  const from = join(s3Directory, bucket);
  let count = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(OBJECT_SUFFIX)) {
        const target = join(root, bucket, relative(from, path).slice(0, -OBJECT_SUFFIX.length));
        mkdirSync(join(target, '..'), { recursive: true });
        copyFileSync(path, target);
        count++;
      }
    }
  };
  walk(from);
  return count;
}

/** Open-source Trino has no MONTHS unit: the same months as an enum (trinodb/trino#22760). */
function monthsAsEnum(table: TableInput, last: string): TableInput {
  const parameters = { ...table.Parameters };
  const [start] = (parameters['projection.month.range'] ?? '').split(',');
  assert.equal(parameters['projection.month.interval.unit'], 'MONTHS');
  assert.match(start ?? '', /^\d{4}-\d{2}$/);
  const months: string[] = [];
  for (let month = start as string; month <= last; ) {
    months.push(month);
    const [y, m] = month.split('-').map(Number) as [number, number];
    month = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  }
  for (const key of ['format', 'range', 'interval', 'interval.unit']) delete parameters[`projection.month.${key}`];
  parameters['projection.month.type'] = 'enum';
  parameters['projection.month.values'] = months.join(',');
  return { ...table, Parameters: parameters };
}

/** Rows as comparable text: numbers to 12 significant digits (sums may differ in the last bits). */
function normalise(rows: readonly (readonly unknown[])[]): string[] {
  return rows.map((row) =>
    JSON.stringify(row.map((value) => (typeof value === 'number' ? Number(value.toPrecision(12)) : value))),
  );
}

describe('Athena’s engine (Trino 476) over the lake, against DuckDB', { skip: trinoSkipReason() }, () => {
  let emulators: Emulators;
  let clients: AwsClients;
  let trino: Trino;
  let duckdb: DuckDbQueryRunner;
  let observations: Set<string>;

  before(async () => {
    // Trino's JVM starts while the lake is written.
    const starting = startTrino();
    starting.catch(() => undefined);
    emulators = await startEmulators({ dynamodb: true, s3: true });
    clients = emulators.clients();
    const s3 = await clients.get('s3');
    await s3.send(new CreateBucketCommand({ Bucket: buckets.raw }));
    await (await clients.get('dynamodb')).send(
      new CreateTableCommand({
        TableName: names.quotesTable,
        ...onDemandTableKeys({ partition: 'symbol', sort: 'timestamp' }),
      }),
    );
    const deps = { documents: await clients.documentClient(), s3 };
    const counter = { n: 0 };
    const live = liveEvents();
    const firstReplay = historyEvents('replay1');
    const secondReplay = historyEvents('replay2');
    await ingest(live, deps, counter);
    await ingest(firstReplay, deps, counter);
    // The same file replayed again: new event ids, later objects; each observation still counts once.
    await ingest(secondReplay, deps, counter);
    // A producer re-sends two of today's ticks with corrected prices: the later write wins.
    const resent = live
      .filter((e) => e.timestamp === '2026-11-22T15:00:00.000Z')
      .slice(0, 2)
      .map((e) => ({ ...e, event_id: `${e.event_id}-again`, price: e.price + 1 }));
    await ingest(resent, deps, counter);
    // Objects holding malformed lines among good ones, in both folders.
    const goog = [0, 1, 2].map((i) =>
      event(`goog-${i}`, 'GOOG', `2026-11-22T15:0${i}:00.000Z`, 170 + i, 168, 900 + i, 'synthetic'),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: buckets.raw,
        Key: `raw/dt=2026-11-22/shardId-000000000001-${sequenceNumber(counter.n++)}.json.gz`,
        Body: malformedBody(goog),
      }),
    );
    const oldIbm = [0, 1].map((i) =>
      event(`ibm-old-${i}`, 'IBM', `2026-09-0${i + 1}T20:00:00.000Z`, 120 + i, 119, 70_000, 'replay'),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: buckets.raw,
        Key: `raw-months/month=2026-09/shardId-000000000001-${sequenceNumber(counter.n++)}.json.gz`,
        Body: malformedBody(oldIbm),
      }),
    );
    observations = new Set([...live, ...firstReplay, ...goog, ...oldIbm].map((e) => `${e.symbol} ${e.timestamp}`));

    duckdb = new DuckDbQueryRunner({
      s3Directory: emulators.s3Directory,
      bucket: buckets.raw,
      now: () => NOW.getTime(),
    });

    trino = await starting;
    assert.ok(mirrorLake(emulators.s3Directory, buckets.raw, trino.root) > 10, 'the lake has objects');
    writeSchema(trino.root, names.glueDatabase);
    // Each projection starts where setup would start it over this lake: its oldest partition.
    const [byDate, byMonth] = (await Promise.all(
      RAW_TABLES.map(async (table) => {
        const oldest = await oldestStoredPartition(s3, buckets.raw, table.folder);
        return glueTableInput(ctx, table, projectionStart(table.folder, oldest, NOW));
      }),
    )) as [TableInput, TableInput];
    assert.equal(byDate.Parameters?.['projection.dt.range'], '2026-11-21,NOW+1DAYS');
    assert.equal(byMonth.Parameters?.['projection.month.range'], '2026-07,NOW');
    writeGlueTable(trino.root, names.glueDatabase, byDate);
    writeGlueTable(trino.root, names.glueDatabase, monthsAsEnum(byMonth, NOW.toISOString().slice(0, 7)));
    // The compacted tables (empty until `compact` runs), which the view reads too.
    for (const table of COMPACTED_TABLES) {
      writeGlueTable(trino.root, names.glueDatabase, glueCompactedTableInput(ctx, table));
    }
    writeGlueTable(trino.root, names.glueDatabase, glueViewInput(ctx));
    // The same view as it was before it had an owner, to show why it needs one.
    const { Owner: _owner, ...ownerless } = glueViewInput(ctx);
    writeGlueTable(trino.root, names.glueDatabase, { ...ownerless, Name: 'view_without_owner' });
  });

  after(async () => {
    await trino?.stop();
    await clients?.destroy();
    await emulators?.stop();
    if (emulators) rmSync(emulators.s3Directory, { recursive: true, force: true });
  });

  async function both(sql: string): Promise<{ trino: string[]; duckdb: string[] }> {
    const [fromTrino, fromDuckdb] = await Promise.all([trino.query(sql, names.glueDatabase), duckdb.run(sql, {})]);
    assert.deepEqual(
      fromTrino.columns.map((column) => column.name),
      fromDuckdb.columns.map((column) => column.name),
    );
    return { trino: normalise(fromTrino.rows), duckdb: normalise(fromDuckdb.rows) };
  }

  const sent = (options: Parameters<typeof planQuery>[0]) =>
    planQuery(options, { cwd: '.', now: NOW, json: false }).sql;

  it('starts in reported time', (t) => {
    t.diagnostic(`Trino 476 started in ${trino.startSeconds.toFixed(1)} s`);
    assert.ok(trino.startSeconds > 0);
  });

  it('counts each observation once, malformed lines and repeated replays left out, as DuckDB does', async () => {
    const { trino: fromTrino, duckdb: fromDuckdb } = await both('SELECT count(*) AS n FROM stock_data_table');
    assert.deepEqual(fromTrino, [JSON.stringify([observations.size])]);
    assert.deepEqual(fromDuckdb, fromTrino);
    const nulls = await both(
      'SELECT count(*) AS n FROM stock_data_table WHERE symbol IS NULL OR "timestamp" IS NULL OR dt IS NULL',
    );
    assert.deepEqual(nulls.trino, ['[0]']);
    assert.deepEqual(nulls.duckdb, ['[0]']);
  });

  it('the view runs only because it has an owner: Trino refuses a definer view without one', async () => {
    await assert.rejects(
      trino.query('SELECT count(*) FROM view_without_owner', names.glueDatabase),
      /Run-as identity must be set for a run-as definer view/,
    );
  });

  const NAMED: [string, Parameters<typeof planQuery>[0]][] = [
    ['top-movers (default: yesterday and today)', { name: 'top-movers' }],
    ['top-movers over the history', { name: 'top-movers', from: '2026-07-01', to: '2026-11-22', limit: 10 }],
    ['avg-volume', { name: 'avg-volume' }],
    ['avg-volume over the history', { name: 'avg-volume', from: '2026-07-01' }],
    ['anomalies', { name: 'anomalies', from: '2026-07-01', threshold: '3' }],
    ['latest', { name: 'latest', since: '200d' }],
    ['history', { name: 'history', symbol: 'aapl', from: '2026-11-01', limit: 30 }],
    ['history of a replayed month', { name: 'history', symbol: 'IBM', from: '2026-09-01', to: '2026-09-30' }],
  ];
  for (const [title, options] of NAMED) {
    it(`named query ${title}: the same rows in the same order`, async () => {
      const rows = await both(sent(options));
      assert.ok(rows.duckdb.length > 0, 'the query returns rows');
      assert.deepEqual(rows.trino, rows.duckdb);
    });
  }

  it('the tutorial’s SQL, as printed and as `query sql` sends it', async () => {
    const [sample, top, average, big] = await Promise.all(
      [TUTORIAL_QUERIES.sample, TUTORIAL_QUERIES.topChanges, TUTORIAL_QUERIES.avgVolume, TUTORIAL_QUERIES.bigMoves].map(
        (sql) => both(sent({ name: 'sql', sql })),
      ),
    );
    // LIMIT without ORDER BY: any ten rows of the view, on either engine.
    const everything = await both('SELECT * FROM stock_data_table');
    assert.deepEqual([...everything.trino].sort(), [...everything.duckdb].sort());
    const all = new Set(everything.duckdb);
    for (const rows of [sample?.trino ?? [], sample?.duckdb ?? []]) {
      assert.equal(rows.length, 10);
      for (const row of rows) assert.ok(all.has(row), `${row} is a row of the view`);
    }
    // ORDER BY price_change alone: rows of equal change may come in either order.
    const changes = (rows: string[] = []) => rows.map((row) => (JSON.parse(row) as unknown[])[3]);
    assert.deepEqual(changes(top?.trino), changes(top?.duckdb));
    assert.deepEqual([...(top?.trino ?? [])].sort(), [...(top?.duckdb ?? [])].sort());
    // No ORDER BY: the same rows, in any order; no group of NULL symbols.
    for (const rows of [average, big]) {
      assert.ok((rows?.duckdb.length ?? 0) > 0);
      assert.deepEqual([...(rows?.trino ?? [])].sort(), [...(rows?.duckdb ?? [])].sort());
    }
    assert.ok(!average?.trino.some((row) => row.startsWith('[null')), 'no row of NULL symbols');
  });

  // `stockpipe compact` on both engines: the AWS path's statements (INSERT INTO the compacted
  // tables, src/query/compaction.ts) run on Trino over its copy of the lake, the local path
  // (DuckDB) over s3rver's. The lake's data has aged: at LATER its two live days and every month of
  // history are closed.
  describe('compact', () => {
    const LATER = new Date('2026-12-05T12:00:00.000Z');
    const options = parseCompactOptions({}, LATER);
    const bucketDir = () => join(emulators.s3Directory, buckets.raw);
    const trinoBucket = () => join(trino.root, buckets.raw);
    const saved = { duckdb: '', trino: '' };
    let expected: { trino: string[]; duckdb: string[] }[];

    class Killed extends Error {}

    /** Every named query, and the whole table (sorted), on both engines. */
    async function answers() {
      const named = [];
      for (const [, options] of NAMED) named.push(await both(sent(options)));
      const everything = await both('SELECT * FROM stock_data_table');
      named.push({ trino: [...everything.trino].sort(), duckdb: [...everything.duckdb].sort() });
      return named;
    }

    /** The files under a folder, as S3 keys with sizes. */
    function filesAsObjects(root: string, suffix = ''): LakeObject[] {
      const objects: LakeObject[] = [];
      const walk = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) walk(path);
          else if (path.endsWith(suffix) && !entry.name.startsWith('.')) {
            objects.push({
              key: relative(root, path).slice(0, suffix ? -suffix.length : undefined),
              size: statSync(path).size,
            });
          }
        }
      };
      walk(root);
      return objects;
    }

    /** Trino as Athena: the statements go to Trino; what they scan it does not say here. */
    const trinoRunner: QueryRunner = {
      async run(sql) {
        const started = Date.now();
        const result = await trino.query(sql, names.glueDatabase);
        return {
          columns: [],
          rows: [],
          rowCount: result.rows.length,
          stats: { engine: 'athena', runTimeMs: Date.now() - started },
        };
      },
    };

    /** The AWS path's lake, its S3 calls played on Trino's folder. */
    function trinoLake(): CompactionLake {
      const athena = awsCompactionLake({
        s3: undefined as unknown as S3Client,
        bucket: buckets.raw,
        names,
        runner: trinoRunner,
      });
      return {
        ...athena,
        list: async () => filesAsObjects(trinoBucket()),
        delete: async (keys) => {
          for (const key of keys) rmSync(join(trinoBucket(), key), { force: true });
        },
      };
    }

    async function localLake(): Promise<CompactionLake> {
      const s3 = await clients.get('s3');
      const writer: LakeWriter = {
        put: async (key, body) =>
          void (await s3.send(new PutObjectCommand({ Bucket: buckets.raw, Key: key, Body: body }))),
        delete: async (keys) => {
          if (keys.length === 0) return;
          await s3.send(
            new DeleteObjectsCommand({
              Bucket: buckets.raw,
              Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
            }),
          );
        },
      };
      return {
        ...localCompactionLake({ bucketDir: bucketDir(), writer }),
        list: async () => filesAsObjects(bucketDir(), OBJECT_SUFFIX),
      };
    }

    /** A lake whose `killAt`-th step (a rewrite or a delete, from 1) dies; `after` runs after each rewrite. */
    function steps(lake: CompactionLake, killAt?: number, after?: (rewrites: number) => Promise<void>) {
      let calls = 0;
      let rewrites = 0;
      const step = () => {
        if (++calls === killAt) throw new Killed(`killed at step ${calls}`);
      };
      const wrapped: CompactionLake = {
        ...lake,
        rewrite: async (batch, signal, onProgress) => {
          step();
          const bytes = await lake.rewrite(batch, signal, onProgress);
          await after?.(++rewrites);
          return bytes;
        },
        delete: async (keys) => {
          step();
          await lake.delete(keys);
        },
      };
      return { lake: wrapped, calls: () => calls };
    }

    const compact = (lake: CompactionLake) =>
      compactLake(options, { io: createCaptureIO().io, lake, signal: new AbortController().signal });

    function restore(): void {
      rmSync(bucketDir(), { recursive: true, force: true });
      cpSync(saved.duckdb, bucketDir(), { recursive: true });
      rmSync(trinoBucket(), { recursive: true, force: true });
      cpSync(saved.trino, trinoBucket(), { recursive: true });
    }

    before(async () => {
      saved.duckdb = `${emulators.s3Directory}-saved`;
      saved.trino = `${trino.root}-saved`;
      cpSync(bucketDir(), saved.duckdb, { recursive: true });
      cpSync(trinoBucket(), saved.trino, { recursive: true });
      expected = await answers();
      for (const answer of expected) assert.deepEqual(answer.trino, answer.duckdb);
    });
    after(() => {
      for (const dir of Object.values(saved)) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('rewrites every closed day and month on both engines: every named query returns the same rows', async (t) => {
      const rawBefore = filesAsObjects(trinoBucket()).length;
      const [onTrino, onDuckdb] = [await compact(trinoLake()), await compact(await localLake())];
      assert.deepEqual([onTrino.days, onTrino.months], [2, 5]);
      assert.deepEqual([onDuckdb.days, onDuckdb.months, onDuckdb.raw_objects], [2, 5, onTrino.raw_objects]);
      t.diagnostic(
        `objects: ${rawBefore} → ${filesAsObjects(trinoBucket()).length} on Trino, ${filesAsObjects(bucketDir(), OBJECT_SUFFIX).length} offline`,
      );
      const compacted = filesAsObjects(trinoBucket()).filter((object) => object.key.startsWith('compacted'));
      assert.ok(compacted.length >= 7, 'Trino wrote the compacted partitions');
      assert.equal(filesAsObjects(trinoBucket()).filter((object) => object.key.startsWith('raw-months/')).length, 0);
      assert.deepEqual(await answers(), expected);
      // Nothing is left to do.
      assert.equal((await compact(trinoLake())).statements, 0);
      // A `dt` predicate prunes the compacted days as it prunes the raw ones: Trino's plan reads
      // stock_data_compacted under a constraint on its partition `dt`.
      const [[plan]] = (
        await trino.query(`EXPLAIN (TYPE IO, FORMAT JSON) ${sent({ name: 'top-movers' })}`, names.glueDatabase)
      ).rows as [[string]];
      const inputs = (
        JSON.parse(plan) as {
          inputTableColumnInfos: {
            table: { schemaTable: { table: string } };
            constraint: { columnConstraints: { columnName: string }[] };
          }[];
        }
      ).inputTableColumnInfos;
      const compactedInput = inputs.find((input) => input.table.schemaTable.table === names.glueCompactedTable);
      const dt = compactedInput?.constraint.columnConstraints.find((constraint) => constraint.columnName === 'dt');
      assert.match(JSON.stringify(dt), /2026-11-21/, plan);
    });

    it('killed at any step and run again, on Trino: the same rows at every point', async () => {
      restore();
      const probe = steps(trinoLake());
      await compact(probe.lake);
      const count = probe.calls();
      assert.equal(count, 6, 'two batches: rewrite, delete raw, delete older compacted');
      for (let killAt = 1; killAt <= count; killAt++) {
        restore();
        await assert.rejects(compact(steps(trinoLake(), killAt).lake), Killed);
        assert.deepEqual(
          (await answers()).map((a) => a.trino),
          expected.map((a) => a.trino),
          `killed at step ${killAt}`,
        );
        await compact(trinoLake());
        assert.deepEqual(
          (await answers()).map((a) => a.trino),
          expected.map((a) => a.trino),
          `run again after step ${killAt}`,
        );
      }
    });

    it('during a replay: the replayed records count at once, and the next run folds them in', async () => {
      restore();
      const s3 = await clients.get('s3');
      const deps = { documents: await clients.documentClient(), s3 };
      const replay = historyEvents('replay3').map((e, n) => (n % 5 === 0 ? { ...e, price: e.price + 0.5 } : e));
      let replayed: LakeObject[] = [];
      // Offline: the replay goes through ingest after the first rewrite…
      const offline = steps(await localLake(), undefined, async (rewrites) => {
        if (rewrites !== 1) return;
        const before = new Set(filesAsObjects(bucketDir(), OBJECT_SUFFIX).map((object) => object.key));
        await ingest(replay, deps, { n: 100_000 });
        replayed = filesAsObjects(bucketDir(), OBJECT_SUFFIX).filter((object) => !before.has(object.key));
      });
      // …and the same objects reach Trino's lake at the same point.
      const onTrino = steps(trinoLake(), undefined, async (rewrites) => {
        if (rewrites !== 1) return;
        for (const object of replayed) {
          const target = join(trinoBucket(), object.key);
          mkdirSync(join(target, '..'), { recursive: true });
          copyFileSync(join(bucketDir(), `${object.key}${OBJECT_SUFFIX}`), target);
        }
      });
      await compact(offline.lake);
      await compact(onTrino.lake);
      assert.ok(replayed.length > 0 && replayed.every((object) => object.key.startsWith('raw-months/')));
      const during = await answers();
      for (const answer of during) assert.deepEqual(answer.trino, answer.duckdb);
      assert.notDeepEqual(during, expected, 'the replay’s later writes show');
      const [count] = (await both('SELECT count(*) AS n FROM stock_data_table')).trino;
      assert.equal(count, JSON.stringify([observations.size]));
      await compact(trinoLake());
      await compact(await localLake());
      assert.equal(filesAsObjects(trinoBucket()).filter((object) => object.key.startsWith('raw-months/')).length, 0);
      assert.deepEqual(await answers(), during);
    });
  });
});
