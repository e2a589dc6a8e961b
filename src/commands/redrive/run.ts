/**
 * `stockpipe redrive`: put what the raw bucket kept back on the stream — batches the mappings gave
 * up on (`--from failed`, Lambda's `aws/lambda/…` objects) or quarantined records (`--from
 * quarantine`) — and move each object it redrove under `redriven/`, so nothing is redriven twice.
 * Records go back byte for byte with their partition key; the ingest function reads them again,
 * so records quarantined before the contract accepted their shape are stored now. Same calls on
 * AWS and on the local target.
 */
import {
  claimKey,
  prefixOf,
  REDRIVEN_PREFIX,
  type RedriveSource,
  type StreamRecord,
} from '../../core/failed-records.ts';
import { StockpipeError, UsageError } from '../../errors.ts';
import type { Claim, ClaimOutcome } from '../../pipeline/kept-records.ts';
import type { IO } from '../../ui/io.ts';
import { type PipelineAddress, suggest } from '../shared/pipeline-flags.ts';
import { parseSinceTime } from '../shared/since.ts';
import type { RedriveFlags } from './command.ts';

/** The flags, --from given (its spec). */
export type RedriveOptions = RedriveFlags;

export interface RedrivePlan {
  from: RedriveSource;
  /** Only objects kept at or after this time (epoch ms); 0: all. */
  since: number;
  dryRun: boolean;
}

/** What redrive needs: the store's calls and the stream's, behind interfaces tests can fake. */
export interface RedriveStore {
  list(source: RedriveSource, since: number): Promise<{ key: string }[]>;
  read(
    source: RedriveSource,
    key: string,
  ): Promise<{ ok: true; records: StreamRecord[] } | { ok: false; reason: string }>;
  /** Claims the object for this run (exactly one of two runs at once wins), or says who holds it. */
  claim(key: string): Promise<ClaimOutcome>;
  /** The claimed object's records are on the stream. */
  markSent(key: string): Promise<void>;
  /** Moves the object under redriven/ and drops its claim. */
  finish(key: string): Promise<void>;
  /** Drops the claim of an object whose records did not go out. */
  release(key: string): Promise<void>;
}

export interface RecordPutter {
  /** Puts the records on the stream; resolves once every one was accepted, or throws. */
  put(records: readonly StreamRecord[]): Promise<void>;
}

export interface RedriveDeps {
  io: IO;
  now?: () => number;
  /** The pipeline, for the "run setup" hint. */
  pipeline: PipelineAddress;
  stream: string;
  bucket: () => Promise<string>;
  store: (bucket: string) => Promise<RedriveStore>;
  putter: () => Promise<RecordPutter>;
}

const SOURCES: readonly RedriveSource[] = ['failed', 'quarantine'];
/** PutRecords takes 500 records and 5 MiB per call; a group stays under both. */
const GROUP_RECORDS = 500;
const GROUP_BYTES = 4 * 1024 * 1024;

export function planRedrive(options: RedriveOptions, now: number): RedrivePlan {
  if (!(SOURCES as readonly string[]).includes(options.from)) {
    throw new UsageError(`invalid --from '${options.from}': use failed or quarantine`);
  }
  return {
    from: options.from as RedriveSource,
    since: options.since === undefined ? 0 : parseSinceTime(options.since, now),
    dryRun: options.dryRun === true,
  };
}

export interface RedriveReport {
  from: RedriveSource;
  bucket: string;
  prefix: string;
  stream: string;
  since: string | null;
  dry_run: boolean;
  /** Objects whose records went back on the stream (or would, in a dry run). */
  objects: number;
  records: number;
  /** Objects an earlier run sent but had not moved aside when it stopped: moved now, not sent again. */
  finished: number;
  skipped: { key: string; reason: string }[];
}

export async function runRedrive(plan: RedrivePlan, deps: RedriveDeps): Promise<number> {
  const { io } = deps;
  const now = deps.now ?? Date.now;
  const hint = `run \`${suggest(deps.pipeline, 'setup')}\` first`;
  const bucket = await deps.bucket();
  const store = await deps.store(bucket);
  let kept: { key: string }[];
  try {
    kept = await store.list(plan.from, plan.since);
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchBucket') {
      throw new StockpipeError(`the raw bucket ${bucket} does not exist: ${hint}`);
    }
    throw error;
  }

  const report: RedriveReport = {
    from: plan.from,
    bucket,
    prefix: prefixOf(plan.from),
    stream: deps.stream,
    since: plan.since > 0 ? new Date(plan.since).toISOString() : null,
    dry_run: plan.dryRun,
    objects: 0,
    records: 0,
    finished: 0,
    skipped: [],
  };
  const putter = plan.dryRun || kept.length === 0 ? undefined : await deps.putter();
  let group: { key: string; records: StreamRecord[] }[] = [];
  let groupRecords = 0;
  let groupBytes = 0;
  const flush = async () => {
    if (group.length === 0) return;
    const sent = group;
    if (putter) {
      try {
        await putter.put(sent.flatMap((entry) => entry.records));
      } catch (error) {
        // Not sent: the group's claims are dropped below, and its objects stay to be redriven again.
        if ((error as { name?: string }).name === 'ResourceNotFoundException') {
          throw new StockpipeError(`the stream ${deps.stream} does not exist: ${hint}`);
        }
        throw error;
      }
      // On the stream: never released again. Say so first (a run stopped from here on is finished by
      // the next, not repeated), then move.
      group = [];
      for (const entry of sent) await store.markSent(entry.key);
      for (const entry of sent) await store.finish(entry.key);
    }
    for (const entry of sent) {
      report.objects += 1;
      report.records += entry.records.length;
    }
    group = [];
    groupRecords = 0;
    groupBytes = 0;
  };

  try {
    for (const { key } of kept) {
      // Claimed before it is read: while this run holds the claim, no other run sends or moves it.
      if (!plan.dryRun) {
        const claim = await store.claim(key);
        if (claim.kind === 'gone') {
          report.skipped.push({ key, reason: ALREADY_REDRIVEN });
          continue;
        }
        if (claim.kind === 'held') {
          const taken = claimTaken(key, claim.claim, now());
          if (taken === 'finish') {
            await store.finish(key);
            report.finished += 1;
          } else report.skipped.push({ key, reason: taken });
          continue;
        }
      }
      const back = await readUnlessGone(store, plan.from, key);
      if (back === undefined || !back.ok) {
        if (!plan.dryRun) await store.release(key);
        report.skipped.push({ key, reason: back === undefined ? ALREADY_REDRIVEN : back.reason });
        continue;
      }
      const bytes = back.records.reduce((sum, record) => sum + record.data.byteLength + record.partitionKey.length, 0);
      if (groupRecords + back.records.length > GROUP_RECORDS || groupBytes + bytes > GROUP_BYTES) await flush();
      group.push({ key, records: back.records });
      groupRecords += back.records.length;
      groupBytes += bytes;
    }
    await flush();
  } catch (error) {
    // Whatever stopped the run, what it claimed and did not send is left to the next run at once.
    if (!plan.dryRun) for (const entry of group) await store.release(entry.key).catch(() => undefined);
    throw error;
  }

  if (io.json) {
    io.outJson(report);
    return 0;
  }
  const where = `${report.prefix} of ${bucket}${report.since ? ` since ${report.since}` : ''}`;
  if (report.finished > 0) {
    io.err(
      `moved ${report.finished} ${report.finished === 1 ? 'object' : 'objects'} an earlier redrive had sent but not moved (not sent again)`,
    );
  }
  if (report.objects === 0 && report.skipped.length === 0) {
    io.out(`Nothing to redrive under ${where}.`);
    return 0;
  }
  const counted = `${report.records} ${report.records === 1 ? 'record' : 'records'} from ${report.objects} ${report.objects === 1 ? 'object' : 'objects'}`;
  if (plan.dryRun) {
    io.out(`Would redrive ${counted} under ${where} to ${deps.stream}. Nothing was changed (dry run).`);
  } else if (report.objects > 0) {
    io.out(`Redrove ${counted} under ${where} to ${deps.stream}; moved them under ${REDRIVEN_PREFIX}.`);
  }
  for (const line of skippedLines(report.skipped)) io.err(line);
  return 0;
}

const ALREADY_REDRIVEN = 'redriven by another run meanwhile';

/** The object's records, or undefined when another run has moved it aside since the listing. */
async function readUnlessGone(store: RedriveStore, from: RedriveSource, key: string) {
  try {
    return await store.read(from, key);
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** A claim held by another run younger than this is that run at work; older, a run that stopped. */
export const CLAIM_STALE_MS = 15 * 60_000;

/**
 * What to do with an object another run has claimed: leave it to that run while it works; after it
 * stopped, finish it when it had sent the records, else skip it, saying why.
 */
function claimTaken(key: string, claim: Claim, now: number): 'finish' | string {
  if (now - claim.at < CLAIM_STALE_MS) return `being redriven by another run (process ${claim.pid})`;
  if (claim.state === 'sent') return 'finish';
  return `claimed at ${new Date(claim.at).toISOString()} by a redrive that stopped before it finished sending; its records may already be on the stream: delete ${claimKey(key)} to redrive it anyway`;
}

/** One line per reason shared by several objects (a concurrent run claims them all), else per object. */
function skippedLines(skipped: RedriveReport['skipped']): string[] {
  const byReason = new Map<string, string[]>();
  for (const { key, reason } of skipped) byReason.set(reason, [...(byReason.get(reason) ?? []), key]);
  return [...byReason].map(([reason, keys]) =>
    keys.length === 1 ? `skipped ${keys[0]}: ${reason}` : `skipped ${keys.length} objects: ${reason}`,
  );
}
