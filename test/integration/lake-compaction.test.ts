/**
 * `stockpipe compact` over a local lake laid out as s3rver stores it, with a writer that puts and
 * deletes files the way s3rver does: months become one Parquet object each, queries return the
 * same rows before, during and after compaction (every observation once), late rows into a
 * compacted month are visible at once and folded in by the next compaction.
 */
import assert from 'node:assert/strict';
import { globSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseCompactOptions } from '../../src/commands/compact/options.ts';
import { compactLake, type LakeWriter } from '../../src/commands/compact/run.ts';
import type { StockEvent } from '../../src/core/event.ts';
import { DuckDbQueryRunner } from '../../src/query/duckdb.ts';
import { buildNamedQuery } from '../../src/query/named.ts';
import { rowsAsObjects } from '../../src/query/runner.ts';
import { createCaptureIO } from '../../src/ui/io.ts';
import { NO_DETAILS, stockEvent } from '../helpers/lambda-events.ts';

const BUCKET = 'stockpipe-raw-000000000000-us-east-1';
const SYMBOLS = ['AAA', 'BBB', 'CCC'];
const NOW = new Date('2026-11-29T12:00:00.000Z');

function event(symbol: string, day: number, id: string, minutes = 0): StockEvent {
  const timestamp = new Date(Date.UTC(2026, 6, 1) + day * 86_400_000 + 72_000_000 + minutes * 60_000).toISOString();
  // Distinct moves for every row, so ordered queries have no ties.
  const price = Number((100 + ((day * 0.37) % 11) + SYMBOLS.indexOf(symbol) * 0.001).toFixed(3));
  return stockEvent({
    ...NO_DETAILS,
    event_id: id,
    symbol,
    timestamp,
    price,
    previous_close: 100,
    change: Number((price - 100).toFixed(3)),
    change_percent: Number((price - 100).toFixed(3)),
    volume: day,
    source: 'replay',
  });
}

/**
 * One raw object per date of a "batch" (raw/dt=…/, how earlier versions wrote history), or per
 * month (raw-months/month=…/, how the ingest handler writes records older than yesterday).
 */
function writeRaw(bucketDir: string, events: StockEvent[], tag: string, by: 'date' | 'month' = 'date'): void {
  const groups = new Map<string, StockEvent[]>();
  for (const e of events) {
    const folder = by === 'date' ? `raw/dt=${e.timestamp.slice(0, 10)}` : `raw-months/month=${e.timestamp.slice(0, 7)}`;
    groups.set(folder, [...(groups.get(folder) ?? []), e]);
  }
  for (const [folder, group] of groups) {
    const file = join(bucketDir, folder, `${tag}-${folder.split('=')[1]}.json.gz._S3rver_object`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, gzipSync(`${group.map((e) => JSON.stringify(e)).join('\n')}\n`));
  }
}

/** s3rver's behaviour on disk: an object is `<bucket>/<key>._S3rver_object`. */
function fileWriter(bucketDir: string, onPut?: () => Promise<void>): LakeWriter {
  return {
    async put(key, body) {
      const file = join(bucketDir, `${key}._S3rver_object`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, body);
      await onPut?.();
    },
    async delete(keys) {
      for (const key of keys) rmSync(join(bucketDir, `${key}._S3rver_object`));
    },
  };
}

const objects = (bucketDir: string, prefix: string) => globSync(join(bucketDir, prefix, '*', '*._S3rver_object'));

describe('lake compaction (local)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockpipe-compact-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const bucketDir = join(dir, BUCKET);
  const lockFile = join(dir, 'compact.lock');
  const runner = new DuckDbQueryRunner({ s3Directory: dir, bucket: BUCKET });
  const count = async () => {
    const [row] = rowsAsObjects(
      await runner.run('SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM stock_data_table'),
    );
    return [Number(row?.n), Number(row?.ids)];
  };
  const range = { from: '2026-07-01', to: '2026-12-31' };
  const named = async () =>
    Promise.all(
      (['avg-volume', 'latest', 'top-movers'] as const).map(async (name) =>
        rowsAsObjects(await runner.run(buildNamedQuery(name, { range, limit: 10 }))),
      ),
    );

  // July to November 2026: 150 days × 3 symbols; November is the current month and stays raw.
  const events = Array.from({ length: 150 * 3 }, (_, n) =>
    event(SYMBOLS[n % 3] as string, Math.floor(n / 3), `id-${n}`),
  );
  writeRaw(bucketDir, events, 'batch');

  it('rewrites each closed month into one Parquet object; queries see the same rows throughout', async () => {
    const rawBefore = objects(bucketDir, 'raw').length;
    assert.equal(rawBefore, 150);
    const before = await named();
    assert.deepEqual(await count(), [450, 450]);
    const during: number[][] = [];
    const options = parseCompactOptions({}, NOW);
    assert.equal(options.beforeMonth, '2026-11');
    const summary = await compactLake(options, {
      io: createCaptureIO().io,
      bucketDir,
      lockFile,
      // Between a part's put and the raw objects' delete, both exist: still every row once.
      writer: async () => fileWriter(bucketDir, async () => void during.push(await count())),
      now: () => NOW,
    });
    assert.deepEqual(
      [summary.months, summary.parquet_objects, summary.raw_objects, summary.rows],
      [4, 4, 31 + 31 + 30 + 31, (31 + 31 + 30 + 31) * 3],
    );
    assert.ok(during.length === 4 && during.every((c) => c[0] === 450 && c[1] === 450), JSON.stringify(during));
    assert.equal(objects(bucketDir, 'history').length, 4);
    assert.equal(objects(bucketDir, 'raw').length, 150 - 123, 'November stays raw');
    assert.deepEqual(await count(), [450, 450]);
    assert.deepEqual(await named(), before);
  });

  it('late rows into a compacted month count at once, and the next compaction folds them in', async () => {
    // Two new observations, and a rewrite of one already compacted (the latest write wins), written
    // by month as ingest writes records older than yesterday.
    const late = [event('AAA', 10, 'late-1', 5), event('BBB', 40, 'late-2', 5), event('CCC', 70, 'rewrite')];
    writeRaw(bucketDir, late, 'late', 'month');
    assert.equal(objects(bucketDir, 'raw-months').length, 3);
    assert.deepEqual(await count(), [452, 452]);
    const rewritten = rowsAsObjects(
      await runner.run("SELECT event_id FROM stock_data_table WHERE event_id = 'rewrite'"),
    );
    assert.equal(rewritten.length, 1);
    const summary = await compactLake(parseCompactOptions({}, NOW), {
      io: createCaptureIO().io,
      bucketDir,
      lockFile,
      writer: async () => fileWriter(bucketDir),
      now: () => new Date(NOW.getTime() + 1000),
    });
    assert.deepEqual([summary.months, summary.raw_objects, summary.parts_replaced], [3, 3, 3]);
    assert.equal(objects(bucketDir, 'history').length, 4, 'one part per month: the older parts are gone');
    assert.equal(objects(bucketDir, 'raw-months').length, 0, 'the monthly objects it holds are deleted');
    assert.deepEqual(await count(), [452, 452]);
    const kept = rowsAsObjects(await runner.run("SELECT event_id FROM stock_data_table WHERE event_id = 'rewrite'"));
    assert.equal(kept.length, 1, 'the rewrite, the newer write, is the one compacted');
  });

  it('two compactions at once: the second waits, then finds nothing left; every row still counts once', async () => {
    const again = [event('AAA', 5, 'again-1', 9), event('BBB', 35, 'again-2', 9)];
    writeRaw(bucketDir, again, 'again', 'month');
    const run = (io: ReturnType<typeof createCaptureIO>) =>
      compactLake(parseCompactOptions({}, NOW), {
        io: io.io,
        bucketDir,
        lockFile,
        writer: async () => fileWriter(bucketDir),
        now: () => new Date(NOW.getTime() + 2000),
      });
    const [first, second] = [createCaptureIO(), createCaptureIO()];
    const summaries = await Promise.all([run(first), run(second)]);
    assert.deepEqual(
      summaries.map((summary) => summary.raw_objects).sort(),
      [0, 2],
      'the two new objects are compacted once',
    );
    assert.match(first.stderr() + second.stderr(), /waiting for the compaction already running \(process \d+\)/);
    assert.deepEqual(await count(), [454, 454]);
  });

  it('--before must be a month that can no longer receive data', () => {
    assert.throws(() => parseCompactOptions({ before: '2026-12' }, NOW), /may still receive data/);
    assert.throws(() => parseCompactOptions({ before: '2026-7' }, NOW), /use a month as YYYY-MM/);
    assert.equal(parseCompactOptions({ before: '2026-09' }, NOW).beforeMonth, '2026-09');
    // On the 1st, yesterday's month is still open for a day.
    assert.equal(parseCompactOptions({}, new Date('2026-12-01T06:00:00Z')).beforeMonth, '2026-11');
  });
});
