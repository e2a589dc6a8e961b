/**
 * `stockpipe compact` over a local lake laid out as s3rver stores it, with a writer that puts and
 * deletes files the way s3rver does: closed days and closed months become Parquet objects, and the
 * named queries return the same rows before, after, when a run is killed at any step and run
 * again, and when records are written while it runs (a replay).
 */
import assert from 'node:assert/strict';
import { cpSync, globSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type LakeWriter, localCompactionLake, withCompactLock } from '../../src/commands/compact/local.ts';
import { parseCompactOptions } from '../../src/commands/compact/options.ts';
import { type CompactSummary, compactLake } from '../../src/commands/compact/run.ts';
import type { StockEvent } from '../../src/core/event.ts';
import { DuckDbQueryRunner } from '../../src/query/duckdb.ts';
import { buildNamedQuery, NAMED_QUERY_NAMES } from '../../src/query/named.ts';
import { rowsAsObjects } from '../../src/query/runner.ts';
import { createCaptureIO } from '../../src/ui/io.ts';
import { NO_DETAILS, stockEvent } from '../helpers/lambda-events.ts';

const BUCKET = 'stockpipe-raw-000000000000-us-east-1';
const SYMBOLS = ['AAA', 'BBB', 'CCC'];
const NOW = new Date('2026-11-29T12:00:00.000Z');
const options = parseCompactOptions({}, NOW);

function event(symbol: string, time: number, id: string, source: StockEvent['source'] = 'replay'): StockEvent {
  const timestamp = new Date(time).toISOString();
  // Distinct moves for every row, so ordered queries have no ties.
  const n = Math.floor(time / 60_000);
  const price = Number((100 + ((n * 0.37) % 11) + SYMBOLS.indexOf(symbol) * 0.001).toFixed(3));
  return stockEvent({
    ...NO_DETAILS,
    event_id: id,
    symbol,
    timestamp,
    price,
    previous_close: 100,
    change: Number((price - 100).toFixed(3)),
    change_percent: Number((price - 100).toFixed(3)),
    volume: n % 100_000,
    source,
  });
}

/** Daily bars, July to October: history, written by month in batches of ~30 rows. */
const history = Array.from({ length: 123 * 3 }, (_, n) =>
  event(SYMBOLS[n % 3] as string, Date.UTC(2026, 6, 1, 20) + Math.floor(n / 3) * 86_400_000, `bar-${n}`),
);
/** Live ticks, 22 to 29 November, every 2 hours, written by date in small objects. */
const live = Array.from({ length: 8 * 12 * 3 }, (_, n) =>
  event(SYMBOLS[n % 3] as string, Date.UTC(2026, 10, 22) + Math.floor(n / 3) * 7_200_000, `tick-${n}`, 'synthetic'),
);

let sequence = 0;
/** Objects as ingest writes them: by date (live) or by month (older), `size` records each, growing names. */
function writeRaw(bucketDir: string, events: StockEvent[], by: 'date' | 'month', size: number): void {
  for (let i = 0; i < events.length; i += size) {
    const groups = new Map<string, StockEvent[]>();
    for (const e of events.slice(i, i + size)) {
      const folder =
        by === 'date' ? `raw/dt=${e.timestamp.slice(0, 10)}` : `raw-months/month=${e.timestamp.slice(0, 7)}`;
      groups.set(folder, [...(groups.get(folder) ?? []), e]);
    }
    for (const [folder, group] of groups) {
      const name = `shardId-000000000000-${String(++sequence).padStart(12, '0')}.json.gz`;
      const file = join(bucketDir, folder, `${name}._S3rver_object`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, gzipSync(`${group.map((e) => JSON.stringify(e)).join('\n')}\n`));
    }
  }
}

class Killed extends Error {}

/** s3rver's behaviour on disk; `killAt`: the call (put or delete, counted from 1) that dies instead. */
function fileWriter(bucketDir: string, hooks: { killAt?: number; afterPut?: () => Promise<void> } = {}) {
  let calls = 0;
  const writer: LakeWriter = {
    async put(key, body) {
      if (++calls === hooks.killAt) throw new Killed(`killed at call ${calls} (put ${key})`);
      const file = join(bucketDir, `${key}._S3rver_object`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, body);
      await hooks.afterPut?.();
    },
    async delete(keys) {
      if (++calls === hooks.killAt) {
        // Killed half-way through the call: some of its objects are gone.
        for (const key of keys.slice(0, Math.floor(keys.length / 2))) rmSync(join(bucketDir, `${key}._S3rver_object`));
        throw new Killed(`killed at call ${calls} (delete)`);
      }
      for (const key of keys) rmSync(join(bucketDir, `${key}._S3rver_object`), { force: true });
    },
  };
  return { writer, calls: () => calls };
}

const objects = (bucketDir: string, prefix: string) => globSync(join(bucketDir, prefix, '*', '*._S3rver_object'));

function compact(bucketDir: string, writer: LakeWriter, at = NOW): Promise<CompactSummary> {
  return compactLake(options, {
    io: createCaptureIO().io,
    lake: localCompactionLake({ bucketDir, writer, now: () => at }),
    signal: new AbortController().signal,
  });
}

/** Every named query over the whole lake, and the whole table: what must not change. */
async function answers(runner: DuckDbQueryRunner): Promise<unknown> {
  const range = { from: '2026-07-01', to: '2026-11-30' };
  const named = await Promise.all(
    NAMED_QUERY_NAMES.map(async (name) =>
      rowsAsObjects(await runner.run(buildNamedQuery(name, { range, limit: 1000, threshold: 3, symbol: 'BBB' }))),
    ),
  );
  const all = rowsAsObjects(await runner.run('SELECT * FROM stock_data_table ORDER BY symbol, "timestamp"'));
  return { named, all };
}

describe('lake compaction (local)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockpipe-compact-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const lake = (name: string) => {
    const bucketDir = join(dir, name, BUCKET);
    return {
      bucketDir,
      runner: new DuckDbQueryRunner({ s3Directory: join(dir, name), bucket: BUCKET, now: () => NOW.getTime() }),
    };
  };
  const count = async (runner: DuckDbQueryRunner) => {
    const [row] = rowsAsObjects(
      await runner.run('SELECT count(*) AS n, count(DISTINCT symbol || "timestamp") AS ids FROM stock_data_table'),
    );
    return [Number(row?.n), Number(row?.ids)];
  };
  const total = history.length + live.length;

  const base = lake('base');
  writeRaw(base.bucketDir, history, 'month', 30);
  // The first replay again (later objects): each observation still counts once.
  writeRaw(base.bucketDir, history.slice(0, 60), 'month', 30);
  writeRaw(base.bucketDir, live, 'date', 9);
  let expected: unknown;

  it('rewrites closed days and months into one Parquet object each; queries see the same rows throughout', async () => {
    expected = await answers(base.runner);
    assert.deepEqual(await count(base.runner), [total, total]);
    const rawBefore = objects(base.bucketDir, 'raw*').length;
    // Live: 22–27 November are closed (before yesterday), 28 and 29 are not.
    const openLiveObjects = objects(base.bucketDir, 'raw').filter((f) => /dt=2026-11-2[89]/.test(f)).length;
    const during: number[][] = [];
    const { writer } = fileWriter(base.bucketDir, { afterPut: async () => void during.push(await count(base.runner)) });
    const summary = await compact(base.bucketDir, writer);
    assert.deepEqual([summary.days, summary.months], [6, 4]);
    assert.equal(summary.raw_objects, rawBefore - openLiveObjects);
    assert.equal(summary.objects_after, 10, 'one Parquet object per closed period');
    assert.equal(objects(base.bucketDir, 'compacted').length, 6);
    assert.equal(objects(base.bucketDir, 'compacted-months').length, 4);
    assert.equal(objects(base.bucketDir, 'raw-months').length, 0);
    assert.equal(objects(base.bucketDir, 'raw').length, rawBefore - summary.raw_objects);
    assert.ok(during.length === 10 && during.every((c) => c[0] === total && c[1] === total), JSON.stringify(during));
    assert.deepEqual(await answers(base.runner), expected);
    // Nothing left: a second run rewrites nothing.
    const again = await compact(base.bucketDir, fileWriter(base.bucketDir).writer);
    assert.deepEqual([again.days, again.months, again.statements], [0, 0, 0]);
  });

  it('killed at any step and run again: the same rows at every point, and the same lake at the end', async () => {
    // How many S3 calls a whole run makes, on a copy of the uncompacted lake.
    const probe = lake('probe');
    writeRaw(probe.bucketDir, history, 'month', 30);
    writeRaw(probe.bucketDir, history.slice(0, 60), 'month', 30);
    writeRaw(probe.bucketDir, live, 'date', 9);
    const template = join(dir, 'template');
    cpSync(join(dir, 'probe'), template, { recursive: true });
    const full = fileWriter(probe.bucketDir);
    await compact(probe.bucketDir, full.writer);
    const steps = full.calls();
    assert.ok(steps >= 14, `${steps} calls: 10 puts, then deletes`);
    for (let killAt = 1; killAt <= steps; killAt++) {
      const name = `killed-${killAt}`;
      cpSync(template, join(dir, name), { recursive: true });
      const killed = lake(name);
      await assert.rejects(compact(killed.bucketDir, fileWriter(killed.bucketDir, { killAt }).writer), Killed);
      assert.deepEqual(await answers(killed.runner), expected, `after a kill at call ${killAt}`);
      await compact(killed.bucketDir, fileWriter(killed.bucketDir).writer, new Date(NOW.getTime() + 1000));
      assert.deepEqual(await answers(killed.runner), expected, `after the next run (killed at call ${killAt})`);
      assert.equal(objects(killed.bucketDir, 'compacted*').length, 10, `killed at call ${killAt}`);
      assert.equal(objects(killed.bucketDir, 'raw-months').length, 0);
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  });

  it('Ctrl+C leaves a state the next run completes, and says so', async () => {
    const stopped = lake('stopped');
    writeRaw(stopped.bucketDir, history, 'month', 30);
    writeRaw(stopped.bucketDir, live, 'date', 9);
    const controller = new AbortController();
    // Ctrl+C as the first Parquet object is put: the rest of the run does not happen.
    const { writer } = fileWriter(stopped.bucketDir, { afterPut: async () => controller.abort() });
    await assert.rejects(
      compactLake(options, {
        io: createCaptureIO().io,
        lake: localCompactionLake({ bucketDir: stopped.bucketDir, writer }),
        signal: controller.signal,
      }),
      (error: Error) =>
        error.name === 'CancelledError' &&
        /every observation still counts once; run `stockpipe compact` again/.test(error.message),
    );
    assert.deepEqual(await answers(stopped.runner), expected);
    await compact(stopped.bucketDir, fileWriter(stopped.bucketDir).writer);
    assert.deepEqual(await answers(stopped.runner), expected);
    assert.equal(objects(stopped.bucketDir, 'compacted*').length, 10);
  });

  it('records written while it runs (a replay) count at once, and the next run folds them in', async () => {
    const replay = lake('replay');
    writeRaw(replay.bucketDir, history, 'month', 30);
    writeRaw(replay.bucketDir, live, 'date', 9);
    // A second replay of July–August, with corrected prices for some bars, arrives mid-compaction.
    const corrected = history
      .slice(0, 180)
      .map((e, n) => (n % 7 === 0 ? { ...e, event_id: `fix-${n}`, price: e.price + 1 } : e));
    let written = false;
    const { writer } = fileWriter(replay.bucketDir, {
      afterPut: async () => {
        if (written) return;
        written = true;
        writeRaw(replay.bucketDir, corrected, 'month', 30);
      },
    });
    await compact(replay.bucketDir, writer);
    assert.ok(objects(replay.bucketDir, 'raw-months').length > 0, 'the replay’s objects are not deleted');
    const fixed = rowsAsObjects(
      await replay.runner.run("SELECT count(*) AS n FROM stock_data_table WHERE event_id LIKE 'fix-%'"),
    );
    assert.equal(Number(fixed[0]?.n), 26, 'the later writes win at once');
    assert.deepEqual(await count(replay.runner), [total, total]);
    const before = await answers(replay.runner);
    await compact(replay.bucketDir, fileWriter(replay.bucketDir).writer, new Date(NOW.getTime() + 1000));
    assert.equal(objects(replay.bucketDir, 'raw-months').length, 0);
    assert.equal(
      objects(replay.bucketDir, 'compacted-months').length,
      4,
      'one object per month: the older ones are gone',
    );
    assert.deepEqual(await answers(replay.runner), before);
  });

  it('reads the first layout (history/month=…/part-….parquet) and moves it into the new one', async () => {
    const legacy = lake('legacy');
    writeRaw(legacy.bucketDir, live, 'date', 9);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const rows = history.map(
      (e) =>
        `('${e.event_id}', '${e.symbol}', '${e.timestamp}', ${e.price}, ${e.volume}, '${e.timestamp.slice(0, 10)}')`,
    );
    await connection.run(
      `CREATE TABLE h AS SELECT event_id, symbol, "timestamp", price, NULL::DOUBLE AS open, NULL::DOUBLE AS high, NULL::DOUBLE AS low, 100.0 AS previous_close, round(price - 100, 3) AS change, round(price - 100, 3) AS change_percent, volume::BIGINT AS volume, NULL::VARCHAR AS currency, NULL::VARCHAR AS market_state, 'replay' AS source, dt, substr(dt, 1, 7) AS month FROM (VALUES ${rows.join(', ')}) AS v(event_id, symbol, "timestamp", price, volume, dt)`,
    );
    const out = join(dir, 'legacy-out');
    await connection.run(`COPY h TO '${out}' (FORMAT parquet, PARTITION_BY (month))`);
    connection.closeSync();
    instance.closeSync();
    for (const file of globSync(join(out, 'month=*', '*.parquet'))) {
      const month = /month=([\d-]+)/.exec(file)?.[1];
      const target = join(
        legacy.bucketDir,
        'history',
        `month=${month}`,
        'part-000001764000000000.parquet._S3rver_object',
      );
      mkdirSync(dirname(target), { recursive: true });
      cpSync(file, target);
    }
    assert.deepEqual(await count(legacy.runner), [total, total]);
    const legacyAnswers = await answers(legacy.runner);
    const summary = await compact(legacy.bucketDir, fileWriter(legacy.bucketDir).writer);
    assert.equal(summary.months, 4);
    assert.equal(objects(legacy.bucketDir, 'history').length, 0);
    assert.deepEqual(await answers(legacy.runner), legacyAnswers);
  });

  it('two compactions at once: the second waits, then finds nothing left; every row still counts once', async () => {
    const two = lake('two');
    writeRaw(two.bucketDir, history, 'month', 30);
    const lockFile = join(dir, 'compact.lock');
    const run = (io: ReturnType<typeof createCaptureIO>) =>
      withCompactLock(lockFile, io.io, () =>
        compactLake(options, {
          io: io.io,
          lake: localCompactionLake({ bucketDir: two.bucketDir, writer: fileWriter(two.bucketDir).writer }),
          signal: new AbortController().signal,
        }),
      );
    const [first, second] = [createCaptureIO(), createCaptureIO()];
    const summaries = await Promise.all([run(first), run(second)]);
    assert.deepEqual(summaries.map((summary) => summary.months).sort(), [0, 4]);
    assert.match(first.stderr() + second.stderr(), /waiting for the compaction already running \(process \d+\)/);
    assert.deepEqual(await count(two.runner), [history.length, history.length]);
  });

  it('--dry-run says what it would rewrite and what Athena would scan, and changes nothing', async () => {
    const dry = lake('dry');
    writeRaw(dry.bucketDir, history, 'month', 30);
    writeRaw(dry.bucketDir, live, 'date', 9);
    const before = objects(dry.bucketDir, '*').length;
    const summary = await compactLake(parseCompactOptions({ dryRun: true }, NOW), {
      io: createCaptureIO().io,
      lake: localCompactionLake({ bucketDir: dry.bucketDir, writer: fileWriter(dry.bucketDir).writer }),
      signal: new AbortController().signal,
    });
    assert.deepEqual([summary.dry_run, summary.days, summary.months, summary.objects_after], [true, 6, 4, null]);
    assert.ok(summary.bytes_to_scan > 0 && summary.bytes_to_scan === summary.raw_bytes);
    // Two statements (days, months), each billed at least 10 MB at $5 per TB.
    assert.equal(summary.cost_usd, 2 * ((10 * 2 ** 20) / 2 ** 40) * 5);
    assert.equal(objects(dry.bucketDir, '*').length, before);
  });

  it('--before must be a month that can no longer receive data', () => {
    assert.throws(() => parseCompactOptions({ before: '2026-12' }, NOW), /may still receive data/);
    assert.throws(() => parseCompactOptions({ before: '2026-7' }, NOW), /use a month as YYYY-MM/);
    assert.deepEqual(parseCompactOptions({ before: '2026-09' }, NOW), {
      beforeDay: '2026-09-01',
      beforeMonth: '2026-09',
      dryRun: false,
    });
    // On the 1st, yesterday's month is still open for a day, and yesterday itself.
    assert.deepEqual(parseCompactOptions({}, new Date('2026-12-01T06:00:00Z')), {
      beforeDay: '2026-11-30',
      beforeMonth: '2026-11',
      dryRun: false,
    });
  });
});
