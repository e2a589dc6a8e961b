/**
 * `stockpipe compact`, one meaning on both targets (src/query/compaction.ts, docs/lake.md): list the
 * lake, then for each batch of closed periods rewrite them into Parquet (Athena's INSERT INTO on
 * AWS, DuckDB offline), delete the raw objects listed before the rewrite, then the periods' older
 * compacted objects. Each step is safe to repeat: a run killed anywhere leaves rows the view counts
 * once, and the next run finishes the job.
 */
import { CancelledError } from '../../errors.ts';
import { type CompactionBatch, type LakeObject, placeOfKey, planCompaction } from '../../query/compaction.ts';
import { PRICE_PER_TB_USD, queryCostUsd } from '../../query/runner.ts';
import type { IO } from '../../ui/io.ts';
import type { CompactOptions } from './options.ts';

export type { CompactFlags, CompactOptions } from './options.ts';
export { parseCompactOptions } from './options.ts';

/** A lake compaction works on: where its objects are, and the engine that rewrites them. */
export interface CompactionLake {
  /** What rewrites, for the output: `Athena` or `DuckDB`. */
  engine: string;
  /** Every object under the raw and compacted folders (`onListed`: how many so far). */
  list(onListed: (count: number) => void): Promise<LakeObject[]>;
  /** Writes a batch's periods into Parquet; resolves to the bytes the engine scanned, if it says. */
  rewrite(
    batch: CompactionBatch,
    signal: AbortSignal,
    onProgress: (state: string) => void,
  ): Promise<number | undefined>;
  /** Deletes objects by key (absent ones are no error). */
  delete(keys: readonly string[]): Promise<void>;
}

export interface CompactDeps {
  io: IO;
  lake: CompactionLake;
  signal: AbortSignal;
}

export interface CompactSummary {
  dry_run: boolean;
  before_day: string;
  before_month: string;
  days: number;
  months: number;
  statements: number;
  raw_objects: number;
  raw_bytes: number;
  compacted_objects_replaced: number;
  /** What the rewrite reads: the periods' raw and compacted objects (Athena bills Parquet at most this). */
  bytes_to_scan: number;
  /** What the engine said it scanned (Athena), when it ran. */
  bytes_scanned: number | null;
  cost_usd: number;
  /** Objects of the closed periods, before and after (null for a dry run). */
  objects_before: number;
  objects_after: number | null;
}

export async function runCompact(options: CompactOptions, deps: CompactDeps): Promise<number> {
  const { io } = deps;
  const summary = await compactLake(options, deps);
  if (io.json) {
    io.outJson(summary);
    return 0;
  }
  for (const line of summaryLines(summary, deps.lake.engine)) io.out(line);
  return 0;
}

export function summaryLines(summary: CompactSummary, engine: string): string[] {
  const periods = [
    summary.days > 0 ? plural(summary.days, 'closed day') : '',
    summary.months > 0 ? plural(summary.months, 'closed month') : '',
  ]
    .filter(Boolean)
    .join(' and ');
  if (periods === '') {
    return [
      `Nothing to compact: no raw objects in days before ${summary.before_day} or months before ${summary.before_month}.`,
    ];
  }
  const what = `${periods}: ${plural(summary.raw_objects, 'raw object')} (${formatBytes(summary.raw_bytes)})${summary.compacted_objects_replaced > 0 ? ` and ${plural(summary.compacted_objects_replaced, 'compacted object')}` : ''}`;
  const cost = `${formatUsd(summary.cost_usd)} at Athena's $${PRICE_PER_TB_USD} per TB scanned, at least 10 MB billed per statement`;
  if (summary.dry_run) {
    return [
      `Would compact ${what} into Parquet, in ${plural(summary.statements, 'statement')}.`,
      `Athena would scan about ${formatBytes(summary.bytes_to_scan)}: ${cost}${engine === 'Athena' ? '' : ' (offline DuckDB does it for nothing)'}.`,
    ];
  }
  const scanned = summary.bytes_scanned ?? summary.bytes_to_scan;
  return [
    `Compacted ${what}: ${summary.objects_before.toLocaleString('en-US')} → ${(summary.objects_after ?? 0).toLocaleString('en-US')} objects in those periods (${engine}).`,
    `${engine === 'Athena' ? 'Athena scanned' : 'On Athena this would scan about'} ${formatBytes(scanned)}: ${cost}.`,
  ];
}

export async function compactLake(options: CompactOptions, deps: CompactDeps): Promise<CompactSummary> {
  const { io, lake, signal } = deps;
  const before = (folder: { partition: string }) =>
    folder.partition === 'dt' ? options.beforeDay : options.beforeMonth;
  let lastListed = 0;
  const objects = await lake.list((count) => {
    if (count - lastListed >= 10_000) {
      lastListed = count;
      io.err(`listing the lake: ${count.toLocaleString('en-US')} objects…`);
    }
  });
  const batches = planCompaction(objects, before);
  const all = batches.flatMap((batch) => batch.periods);
  const rawObjects = all.flatMap((work) => work.raw);
  const compactedObjects = all.flatMap((work) => work.compacted);
  const bytesToScan = [...rawObjects, ...compactedObjects].reduce((sum, object) => sum + object.size, 0);
  const summary: CompactSummary = {
    dry_run: options.dryRun,
    before_day: options.beforeDay,
    before_month: options.beforeMonth,
    days: all.filter((work) => work.folder.partition === 'dt').length,
    months: all.filter((work) => work.folder.partition !== 'dt').length,
    statements: batches.length,
    raw_objects: rawObjects.length,
    raw_bytes: rawObjects.reduce((sum, object) => sum + object.size, 0),
    compacted_objects_replaced: compactedObjects.length,
    bytes_to_scan: bytesToScan,
    bytes_scanned: null,
    cost_usd: batches.reduce((sum, batch) => sum + queryCostUsd(batchBytes(batch)), 0),
    objects_before: rawObjects.length + compactedObjects.length,
    objects_after: null,
  };
  if (options.dryRun || batches.length === 0) return summary;

  let scanned: number | undefined;
  let cost = 0;
  for (const [index, batch] of batches.entries()) {
    const first = batch.periods[0]?.period;
    const last = batch.periods.at(-1)?.period;
    const label = `${index + 1}/${batches.length}: ${plural(batch.periods.length, batch.folder.partition === 'dt' ? 'day' : 'month')} ${first}${first === last ? '' : ` … ${last}`}`;
    const started = Date.now();
    io.err(
      `compact ${label}: rewriting ${plural(
        batch.periods.reduce((n, w) => n + w.raw.length, 0),
        'raw object',
      )} into Parquet…`,
    );
    checkNotCancelled(signal, 'before the rewrite');
    try {
      // Athena's state while it runs (QUEUED, RUNNING), every 10 s at most.
      let told = started;
      const bytes = await lake.rewrite(batch, signal, (state) => {
        if (Date.now() - told < 10_000) return;
        told = Date.now();
        io.err(`compact ${label}: ${state.toLowerCase()} · ${Math.round((told - started) / 1000)} s`);
      });
      if (bytes !== undefined) scanned = (scanned ?? 0) + bytes;
      cost += queryCostUsd(bytes ?? batchBytes(batch));
    } catch (error) {
      if (signal.aborted) throw cancelled('during the rewrite');
      throw error;
    }
    // The raw objects listed before the rewrite, which it read: now in Parquet too.
    const raw = batch.periods.flatMap((work) => work.raw.map((object) => object.key));
    // About ten progress lines however many objects (DeleteObjects takes 1,000 at a time).
    const every = Math.max(1, Math.ceil(raw.length / 10_000)) * 1000;
    for (let i = 0; i < raw.length; i += 1000) {
      checkNotCancelled(signal, 'while deleting the rewritten raw objects');
      await lake.delete(raw.slice(i, i + 1000));
      const done = Math.min(i + 1000, raw.length);
      if (raw.length > 1000 && (done % every === 0 || done === raw.length)) {
        io.err(
          `compact ${label}: deleted ${done.toLocaleString('en-US')}/${raw.length.toLocaleString('en-US')} raw objects`,
        );
      }
    }
    // The periods' older compacted objects: their rows are in the new ones.
    checkNotCancelled(signal, 'before deleting the older compacted objects');
    await lake.delete(batch.periods.flatMap((work) => work.compacted.map((object) => object.key)));
  }
  summary.bytes_scanned = scanned ?? null;
  summary.cost_usd = cost;
  const periods = new Set(all.map((work) => `${work.folder.prefix} ${work.period}`));
  summary.objects_after = (await lake.list(() => undefined)).filter((object) => {
    const place = placeOfKey(object.key);
    return place !== undefined && periods.has(`${place.folder.prefix} ${place.period}`);
  }).length;
  return summary;
}

function batchBytes(batch: CompactionBatch): number {
  return batch.periods.reduce(
    (sum, work) => sum + [...work.raw, ...work.compacted].reduce((n, object) => n + object.size, 0),
    0,
  );
}

function checkNotCancelled(signal: AbortSignal, when: string): void {
  if (signal.aborted) throw cancelled(when);
}

function cancelled(when: string): CancelledError {
  return new CancelledError(
    `compact cancelled ${when}: every observation still counts once; run \`stockpipe compact\` again to finish`,
  );
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} KB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

function formatUsd(usd: number): string {
  return usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(2)}`;
}
