/** stockpipe status: every resource present, missing or degraded; mappings; subscriptions; recent activity; what next. */

import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from '../../aws/clients.ts';
import { formatDuration } from '../../core/duration.ts';
import { printable } from '../../core/printable.ts';
import { isFileStrategy } from '../../core/strategies/index.ts';
import { errorMessage } from '../../errors.ts';
import type { IngestOutcomes } from '../../logs/ingest-summaries.ts';
import type { Backlog } from '../../pipeline/aws-activity.ts';
import { unlessNotFound } from '../../pipeline/aws-helpers.ts';
import { countKeptSince } from '../../pipeline/kept-records.ts';
import { isMappingId, type NodeId } from '../../pipeline/node-ids.ts';
import { renderNotes } from '../../pipeline/render.ts';
import { createResourceContext, describePipeline, placeOf } from '../../pipeline/run.ts';
import type { ResourceContext } from '../../pipeline/types.ts';
import { terminalWidth } from '../../ui/io.ts';
import { wrapLine } from '../../ui/wrap.ts';
import type { PipelineCommandDeps } from '../pipeline-deps.ts';
import { suggest } from '../shared/pipeline-flags.ts';

export interface Activity {
  /** IncomingRecords on the stream over the last hour; null when unknown. */
  recordsLastHour: number | null;
  /** How the ingest function ended the records it took in the last hour (null when unknown). */
  ingestedLastHour: IngestOutcomes | null;
  lastAlert: { symbol: string; signal: string; publishedAt: string; subject?: string } | null;
  /** Records in batches the mappings gave up on, kept in the last day (null when unknown). */
  failedLastDay: number | null;
  /** Records the ingest function quarantined in the last day (null when unknown). */
  quarantinedLastDay: number | null;
  /** The trends function's strategy, and the points it could not judge in the last hour (null when unknown). */
  strategy: { name: string; file: boolean; errorsLastHour: number | null } | null;
  /** Of those, records quarantined again after a redrive put them back (null when unknown). */
  requarantinedLastDay: number | null;
  /** How far each function is behind its stream (iterator age, ms; null when unknown). */
  backlog: Backlog;
  problems: string[];
}

export type { Backlog };

/** A function further behind its stream than this is catching up: the pipeline is not healthy. */
export const BACKLOG_LIMIT_MS = 60_000;

export interface StatusDeps extends PipelineCommandDeps {
  /** For lib-dynamodb: AwsClients has documentClient(); without it the last alert is not looked up. */
  documentClient?: AwsClients['documentClient'];
  now?: () => Date;
}

export async function runStatus(deps: StatusDeps): Promise<number> {
  const { io, name } = deps;
  const identity = await deps.pipeline.identity();
  const ctx = createResourceContext({ clients: deps.clients, name, identity });
  const nodes = deps.pipeline.graph(ctx);
  const described = await describePipeline(nodes, ctx);
  const resources = described.map((entry) => ({
    id: entry.id,
    kind: entry.kind,
    name: entry.name,
    presence: entry.error ? ('degraded' as const) : (entry.observation?.presence ?? 'missing'),
    arn: entry.observation?.arn ?? null,
    notes: entry.error ? [entry.error] : renderNotes(entry.observation?.notes ?? []),
  }));
  const notesOf = (id: NodeId) => described.find((entry) => entry.id === id)?.observation?.notes ?? [];
  const allMissing = resources.every((resource) => resource.presence === 'missing');
  const present = resources.every((resource) => resource.presence === 'present');

  const mappings = resources
    .filter((resource) => isMappingId(resource.id))
    .map((resource) => ({
      id: resource.id,
      state:
        resource.presence === 'missing'
          ? 'missing'
          : (notesOf(resource.id).flatMap((note) => (note.note === 'state' ? [note.state] : []))[0] ?? 'unknown'),
    }));
  const subscriptions = notesOf('alert-subscriptions').flatMap((note) =>
    note.note === 'subscription' ? [{ email: String(note.email), confirmed: note.confirmed }] : [],
  );
  const activity: Activity = allMissing
    ? {
        recordsLastHour: null,
        ingestedLastHour: null,
        lastAlert: null,
        failedLastDay: null,
        quarantinedLastDay: null,
        strategy: null,
        requarantinedLastDay: null,
        backlog: { ingestMs: null, trendsMs: null },
        problems: [],
      }
    : await recentActivity(ctx, deps);
  // Records waiting is a state to see: not "Healthy" while a function is a minute behind.
  const behind = Math.max(activity.backlog.ingestMs ?? 0, activity.backlog.trendsMs ?? 0);
  const healthy = present && behind <= BACKLOG_LIMIT_MS;

  const next = nextStep({
    suggest: (command) => suggest(deps, command),
    feed: deps.pipeline.feedCommand,
    allMissing,
    healthy,
    resources,
    subscriptions,
    activity,
  });

  if (io.json) {
    io.outJson({
      pipeline: name,
      account: identity.account,
      region: identity.region,
      healthy,
      // Where producers write: any JSON with a symbol, a price and a time (docs/data-contract.md).
      stream: ctx.names.stream,
      resources,
      mappings,
      subscriptions,
      activity,
      next,
    });
    return healthy ? 0 : 1;
  }

  const { style } = io;
  // At a terminal no line is wider than it: long ones wrap.
  const width = terminalWidth(io);
  const out = (line: string) => io.out(wrapLine(line, width));
  out(`Pipeline ${style.bold(name)} — ${placeOf(identity)}`);
  for (const resource of resources) {
    const mark =
      resource.presence === 'present'
        ? style.green('✓ present ')
        : resource.presence === 'missing'
          ? style.red('✗ missing ')
          : style.yellow('! degraded');
    const notes = resource.notes.length ? style.dim(` (${printable(resource.notes.join('; '))})`) : '';
    out(`${mark} ${resource.kind.padEnd(26)} ${resource.name}${notes}`);
  }
  if (!allMissing) {
    const records = activity.recordsLastHour === null ? 'unknown' : String(activity.recordsLastHour);
    out(`Write to: ${ctx.names.stream} (any producer; see docs/data-contract.md)`);
    // Where the hour's records went, beside their count: the parts add up to it.
    const outcomes = activity.ingestedLastHour
      ? ` (${describeOutcomes(activity.ingestedLastHour, activity.recordsLastHour)})`
      : '';
    out(`Records in the last hour: ${records}${outcomes}`);
    out(`Backlog: ${describeBacklog(activity.backlog)}`);
    if (activity.strategy) out(`Strategy: ${describeStrategyActivity(activity.strategy)}`);
    out(describeKept(activity, (command) => suggest(deps, command), style));
    out(
      `Last alert: ${activity.lastAlert ? `${activity.lastAlert.signal} ${activity.lastAlert.symbol} at ${activity.lastAlert.publishedAt}` : 'none'}`,
    );
    for (const problem of activity.problems) io.err(io.errStyle.dim(printable(problem)));
    await compactHint(deps, ctx, out);
  }
  out(`${healthy ? style.green('Healthy.') : style.red('Not healthy.')} Next: ${next}`);
  return healthy ? 0 : 1;
}

function nextStep(input: {
  /** A suggested command, runnable as printed. */
  suggest: (command: string) => string;
  /** The stream command that feeds a pipeline on this target. */
  feed: string;
  allMissing: boolean;
  healthy: boolean;
  resources: { presence: string; kind: string; name: string; notes: string[] }[];
  subscriptions: { email: string; confirmed: boolean }[];
  activity: Activity;
}): string {
  const run = (command: string) => `\`${input.suggest(command)}\``;
  if (input.allMissing) return `create it with ${run('setup')}.`;
  const missing = input.resources.filter((resource) => resource.presence === 'missing');
  if (missing.length > 0) return `${missing.length} resources are missing: run ${run('setup')} to complete it.`;
  const degraded = input.resources.find((resource) => resource.presence === 'degraded');
  if (degraded) {
    return `${degraded.kind} ${degraded.name} is degraded (${degraded.notes.join('; ')}): run ${run('setup')}, or check it in the AWS console.`;
  }
  const behind = Math.max(input.activity.backlog.ingestMs ?? 0, input.activity.backlog.trendsMs ?? 0);
  if (behind > BACKLOG_LIMIT_MS) {
    return `it is catching up, ${formatDuration(behind)} behind its stream: run ${run('status')} again in a minute, or follow it with ${run('tail --follow')}.`;
  }
  const pending = input.subscriptions.filter((subscription) => !subscription.confirmed);
  if (pending.length > 0) {
    return `confirm the subscription e-mail sent to ${pending.map((p) => p.email).join(', ')} to receive alerts.`;
  }
  if (!input.activity.recordsLastHour) return `feed it with ${run(input.feed)}.`;
  return `query it with ${run('query latest')}, or follow it with ${run('tail --follow')}.`;
}

async function recentActivity(ctx: ResourceContext, deps: StatusDeps): Promise<Activity> {
  const now = deps.now?.() ?? new Date();
  const problems: string[] = [];
  /** What `read` gives; on failure `fallback`, and a problem saying what could not be done. */
  const attempt = async <T>(what: string, fallback: T, read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      problems.push(`could not ${what}: ${errorMessage(error)}`);
      return fallback;
    }
  };
  const recordsLastHour = await attempt<number | null>("read the stream's metrics", null, () =>
    deps.pipeline.recordsLastHour(ctx, now),
  );
  const ingestedLastHour = await attempt<IngestOutcomes | null>("read the ingest function's metrics", null, () =>
    deps.pipeline.ingestedLastHour(ctx, now),
  );
  const { documentClient } = deps;
  const lastAlert = documentClient
    ? await attempt('read the alerts table', null, async () => latestAlert(ctx, await documentClient()))
    : null;
  const kept = await attempt('count failed and quarantined records', null, async () =>
    countKeptSince(await ctx.clients.get('s3'), ctx.buckets.raw, now.getTime() - 86_400_000),
  );
  const settings = await attempt('read the deployed strategy', undefined, () => deps.pipeline.deployedSettings(ctx));
  const strategyErrors = settings
    ? await attempt<number | null>("read the trends function's metrics", null, () =>
        deps.pipeline.strategyErrorsLastHour(ctx, now),
      )
    : null;
  const backlog = await attempt<Backlog>(
    'read how far behind the functions are',
    { ingestMs: null, trendsMs: null },
    () => deps.pipeline.backlog(ctx, now),
  );
  return {
    recordsLastHour,
    ingestedLastHour,
    lastAlert,
    failedLastDay: kept?.failed ?? null,
    quarantinedLastDay: kept?.quarantined ?? null,
    strategy: settings
      ? { name: settings.strategy.name, file: isFileStrategy(settings.strategy), errorsLastHour: strategyErrors }
      : null,
    requarantinedLastDay: kept?.requarantined ?? null,
    backlog,
    problems,
  };
}

/** The most recently published alert in the alerts table (null when there is none). */
async function latestAlert(ctx: ResourceContext, documents: DynamoDBDocumentClient): Promise<Activity['lastAlert']> {
  let lastAlert: Activity['lastAlert'] = null;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  // The alerts table is small (TTL); a few pages cover it.
  for (let page = 0; page < 10; page++) {
    const result = await unlessNotFound(
      () =>
        documents.send(
          new ScanCommand({
            TableName: ctx.names.alertsTable,
            ProjectionExpression: 'symbol, #signal, published_at, subject',
            ExpressionAttributeNames: { '#signal': 'signal' },
            ExclusiveStartKey,
          }),
        ),
      undefined,
    );
    for (const item of result?.Items ?? []) {
      const publishedAt = String(item.published_at ?? '');
      if (!lastAlert || publishedAt > lastAlert.publishedAt) {
        lastAlert = {
          symbol: String(item.symbol),
          signal: String(item.signal),
          publishedAt,
          ...(item.subject ? { subject: String(item.subject) } : {}),
        };
      }
    }
    ExclusiveStartKey = result?.LastEvaluatedKey;
    if (!ExclusiveStartKey) break;
  }
  return lastAlert;
}

/** Where the hour's records went: each one is stored, quarantined or superseded, or still waiting. */
function describeOutcomes(outcomes: IngestOutcomes, records: number | null): string {
  const ended = outcomes.stored + outcomes.quarantined + outcomes.superseded;
  const waiting = records !== null && records > ended ? `, ${records - ended} not ingested yet` : '';
  return `${outcomes.stored} stored, ${outcomes.quarantined} quarantined, ${outcomes.superseded} superseded${waiting}`;
}

/**
 * The day's failed and quarantined records, and a redrive only for what one could put back: not
 * for records quarantined again after a redrive (the same records would be quarantined again).
 */
function describeKept(
  activity: Activity,
  suggestCommand: (command: string) => string,
  style: { dim: (text: string) => string },
): string {
  const count = (value: number | null) => (value === null ? 'unknown' : String(value));
  const again = activity.requarantinedLastDay ?? 0;
  const fresh = (activity.quarantinedLastDay ?? 0) - again;
  const redrive = activity.failedLastDay ? 'failed' : fresh > 0 ? 'quarantine' : undefined;
  const repeated = again > 0 ? `, ${again} of them again after a redrive (see docs/data-contract.md)` : '';
  return (
    `In the last day: ${count(activity.failedLastDay)} failed, ${count(activity.quarantinedLastDay)} quarantined${repeated}` +
    (redrive ? style.dim(` (\`${suggestCommand(`redrive --from ${redrive}`)}\` puts them back)`) : '')
  );
}

/** `breakout (from a file), 3 points it could not judge in the last hour`. */
function describeStrategyActivity(strategy: NonNullable<Activity['strategy']>): string {
  const errors = strategy.errorsLastHour;
  const judged =
    errors === null
      ? 'errors in the last hour unknown'
      : errors === 0
        ? 'no errors in the last hour'
        : `${errors} ${errors === 1 ? 'point' : 'points'} it could not judge in the last hour (the trends log says why)`;
  return `${strategy.name}${strategy.file ? ' (from a file)' : ''}, ${judged}`;
}

function describeBacklog(backlog: Backlog): string {
  const part = (fn: string, ms: number | null) =>
    ms === null ? `${fn} unknown` : ms < 1000 ? `${fn} keeps up` : `${fn} ${formatDuration(ms)} behind`;
  const text = `${part('ingest', backlog.ingestMs)}, ${part('trends', backlog.trendsMs)}`;
  const behind = Math.max(backlog.ingestMs ?? 0, backlog.trendsMs ?? 0);
  return behind > BACKLOG_LIMIT_MS ? `${text} — catching up` : text;
}

/**
 * Many small objects in closed periods: a line suggesting compact, runnable as printed. Said only
 * when it applies; a failed listing is no status problem (the kept-records count says so already).
 */
async function compactHint(deps: StatusDeps, ctx: ResourceContext, out: (line: string) => void): Promise<void> {
  const { closedRawObjects, COMPACT_SUGGESTED_AT } = await import('../../pipeline/compactable.ts');
  let closed = 0;
  try {
    closed = await closedRawObjects(await ctx.clients.get('s3'), ctx.buckets.raw, deps.now?.() ?? new Date());
  } catch {
    return;
  }
  if (closed < COMPACT_SUGGESTED_AT) return;
  out(
    `Lake: ${COMPACT_SUGGESTED_AT.toLocaleString('en-US')} or more small objects in closed days and months: \`${suggest(deps, 'compact')}\` rewrites them into a few Parquet objects (\`${suggest(deps, 'compact --dry-run')}\` says what it would scan).`,
  );
}
