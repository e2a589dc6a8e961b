/**
 * The three ways to walk the graph: apply (setup), destroy (cleanup) and describe (status,
 * --dry-run, and cleanup's final check). They take any list of nodes, so a target can bring its own.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describeAwsError } from '../aws/errors.ts';
import { bucketNames, PIPELINE_TAG_KEY, pipelineNames } from '../core/names.ts';
import { type FileStrategyConfig, isFileStrategy } from '../core/strategies/index.ts';
import { errorMessage, StockpipeError } from '../errors.ts';
import { partitionOf } from './arns.ts';
import { DEFAULT_TIMING, isAlreadyExists } from './aws-helpers.ts';
import type { EmitProgress, ResourceRef, ResourceState } from './events.ts';
import { INTERRUPTED, walkGraph } from './graph.ts';
import { renderChanges } from './render.ts';
import type {
  ClientSource,
  CodeSource,
  DesiredSettings,
  LambdaCode,
  Observation,
  ResourceContext,
  ResourceNode,
  Timing,
} from './types.ts';

export interface Identity {
  account: string;
  region: string;
  partition: string;
  arn: string;
  /** How messages name the place (default: "AWS account … in region …"); the local target sets it. */
  label?: string;
}

/** "AWS account 123… in region eu-west-1", or the target's own label. */
export function placeOf(identity: Identity, bold: (text: string) => string = (text) => text): string {
  return identity.label ?? `AWS account ${bold(identity.account)} in region ${bold(identity.region)}`;
}

/** STS GetCallerIdentity and the region the clients resolved; missing credentials become one line with the fix. */
export async function callerIdentity(clients: ClientSource): Promise<Identity> {
  try {
    const sts = await clients.get('sts');
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const region = await sts.config.region();
    return {
      account: identity.Account ?? '',
      region,
      partition: partitionOf(identity.Arn),
      arn: identity.Arn ?? '',
    };
  } catch (error) {
    const described = describeAwsError(error);
    if (described) throw new StockpipeError(described);
    throw error;
  }
}

export interface ContextInput {
  clients: ClientSource;
  name: string;
  identity: Identity;
  spec?: DesiredSettings;
  code?: CodeSource;
  timing?: Partial<Timing>;
}

export function createResourceContext(input: ContextInput): ResourceContext {
  const { clients, name, identity, spec } = input;
  const cache = new Map<string, ReturnType<CodeSource>>();
  const source: CodeSource =
    input.code ??
    (async (fn) => {
      const { readLambdaZip } = await import('../packaging/lambda-zip.ts');
      return readLambdaZip(fn);
    });
  return {
    clients,
    name,
    names: pipelineNames(name),
    buckets: bucketNames(name, identity.account, identity.region),
    account: identity.account,
    region: identity.region,
    partition: identity.partition,
    spec,
    // Each package is read (and hashed) once per run; a file's strategy rides in the trends zip.
    code: (fn) => {
      let pending = cache.get(fn);
      if (!pending) {
        const strategy = spec?.strategy;
        pending =
          fn === 'trends' && strategy && isFileStrategy(strategy)
            ? source(fn).then((base) => withStrategy(base, strategy))
            : source(fn);
        cache.set(fn, pending);
      }
      return pending;
    },
    timing: { ...DEFAULT_TIMING, ...input.timing },
    tags: { [PIPELINE_TAG_KEY]: name },
  };
}

/** The trends package with the strategy file's bundle added (the very bundle setup checked). */
async function withStrategy(base: LambdaCode, strategy: FileStrategyConfig): Promise<LambdaCode> {
  const { bundleStrategyFile, trendsZipWithStrategy } = await import('../packaging/strategy-bundle.ts');
  if (!strategy.file) {
    throw new StockpipeError(`the ${strategy.name} strategy's file is not known: give it with --strategy <file>`);
  }
  const bundle = await bundleStrategyFile(strategy.file);
  if (strategy.bundle && bundle.hash !== strategy.bundle) {
    throw new StockpipeError(`${strategy.file} changed while setup ran: run setup again`);
  }
  return trendsZipWithStrategy(base.bytes, bundle);
}

export const refOf = (node: ResourceNode): ResourceRef => ({ id: node.id, kind: node.kind, name: node.name });

export interface ResourceOutcome extends ResourceRef {
  state: ResourceState;
  arn?: string;
  detail?: string;
}

export interface WalkSummary {
  outcomes: ResourceOutcome[];
  failed: ResourceOutcome[];
}

function summarize(nodes: readonly ResourceNode[], outcomes: Map<string, ResourceOutcome>): WalkSummary {
  const list = nodes.map((node) => outcomes.get(node.id) ?? { ...refOf(node), state: 'skipped' as const });
  return { outcomes: list, failed: list.filter((outcome) => outcome.state === 'failed') };
}

/** setup: describe each node, then ensure it only when it is missing or differs. */
export function applyPipeline(
  nodes: readonly ResourceNode[],
  ctx: ResourceContext,
  emit: EmitProgress,
  signal?: AbortSignal,
): Promise<WalkSummary> {
  return walkReporting('setup', nodes, emit, signal, {
    visit: (node) => applyNode(node, ctx),
    waitsFor: (blockedBy) => `waits for ${blockedBy}`,
  });
}

/**
 * Losing a create race is not a failure: the resource exists, so describe it again and bring it to
 * the spec like any existing one. Bounded, because each retry means someone else changed it again.
 */
const CREATE_RACE_RETRIES = 3;

async function applyNode(node: ResourceNode, ctx: ResourceContext, attempt = 1): Promise<VisitOutcome> {
  const observed = await node.describe(ctx);
  if (observed.presence !== 'missing' && observed.changes.length === 0) {
    return { state: 'unchanged', ...(observed.arn ? { arn: observed.arn } : {}) };
  }
  let result: Awaited<ReturnType<ResourceNode['ensure']>>;
  try {
    result = await node.ensure(ctx, observed);
  } catch (error) {
    if (!isAlreadyExists(error) || attempt > CREATE_RACE_RETRIES) throw error;
    return applyNode(node, ctx, attempt + 1);
  }
  const arn = result.arn ?? observed.arn;
  const detail = renderChanges(observed.changes).join(', ');
  return { state: result.action, ...(arn ? { arn } : {}), ...(detail ? { detail } : {}) };
}

/**
 * "<kind> <name>: <why>" for a failed resource, naming the resource once: AWS's messages often
 * name it already ("Table already exists: x-quotes"), and then the kind is enough before them.
 */
export function failureLine(outcome: ResourceOutcome): string {
  const why = outcome.detail ?? 'failed';
  return why.includes(outcome.name) ? `${outcome.kind}: ${why}` : `${outcome.kind} ${outcome.name}: ${why}`;
}

/** cleanup: destroy in reverse dependency order; NotFound counts as done. */
export function destroyPipeline(
  nodes: readonly ResourceNode[],
  ctx: ResourceContext,
  emit: EmitProgress,
  signal?: AbortSignal,
): Promise<WalkSummary> {
  return walkReporting('cleanup', nodes, emit, signal, {
    visit: async (node) => ({ state: await node.destroy(ctx) }),
    waitsFor: (blockedBy) => `${blockedBy} must go first`,
  });
}

type VisitOutcome = Pick<ResourceOutcome, 'state' | 'arn' | 'detail'>;

/**
 * Walks the graph (forward for setup, backward for cleanup), turning every node's result,
 * failure or skip into an outcome and a progress event.
 */
async function walkReporting(
  operation: 'setup' | 'cleanup',
  nodes: readonly ResourceNode[],
  emit: EmitProgress,
  signal: AbortSignal | undefined,
  how: { visit: (node: ResourceNode) => Promise<VisitOutcome>; waitsFor: (blockedBy: string) => string },
): Promise<WalkSummary> {
  const outcomes = new Map<string, ResourceOutcome>();
  const record = (node: ResourceNode, outcome: VisitOutcome, elapsedMs?: number) => {
    const full: ResourceOutcome = { ...refOf(node), ...outcome };
    outcomes.set(node.id, full);
    emit({
      type: 'resource',
      resource: refOf(node),
      state: full.state,
      ...(elapsedMs !== undefined ? { elapsedMs } : {}),
      ...pick(full),
    });
  };
  emit({ type: 'begin', operation, resources: nodes.map(refOf) });
  await walkGraph(
    nodes,
    operation === 'setup' ? 'forward' : 'backward',
    how.visit,
    {
      onStart: (node) => emit({ type: 'resource', resource: refOf(node), state: 'running' }),
      onDone: (node, outcome, elapsedMs) => record(node, outcome, elapsedMs),
      onFail: (node, error, elapsedMs) =>
        record(node, { state: 'failed', detail: describeAwsError(error) ?? errorMessage(error) }, elapsedMs),
      onSkip: (node, blockedBy) =>
        record(node, { state: 'skipped', detail: blockedBy === INTERRUPTED ? 'interrupted' : how.waitsFor(blockedBy) }),
    },
    signal,
  );
  emit({ type: 'end', operation });
  return summarize(nodes, outcomes);
}

export interface Described extends ResourceRef {
  observation?: Observation;
  error?: string;
}

/** Describe every node at once (read-only). A node that cannot be described carries its error. */
export async function describePipeline(nodes: readonly ResourceNode[], ctx: ResourceContext): Promise<Described[]> {
  return Promise.all(
    nodes.map(async (node) => {
      try {
        return { ...refOf(node), observation: await node.describe(ctx) };
      } catch (error) {
        return { ...refOf(node), error: describeAwsError(error) ?? errorMessage(error) };
      }
    }),
  );
}

/** Found: present, degraded, or unreadable (an error is no proof of absence). */
export const isFound = (entry: Described): boolean =>
  entry.error !== undefined || entry.observation?.presence !== 'missing';

/**
 * Cleanup's final check: what is still there, re-read up to timing.settleReads times, because
 * AWS deletes are eventually consistent (a deleted bucket answers HeadBucket for a while).
 */
export async function describeRemaining(nodes: readonly ResourceNode[], ctx: ResourceContext): Promise<Described[]> {
  let remaining = (await describePipeline(nodes, ctx)).filter(isFound);
  for (let read = 1; read < ctx.timing.settleReads && remaining.length > 0; read++) {
    await ctx.timing.sleep(ctx.timing.pollMs);
    const ids = new Set(remaining.map((entry) => entry.id));
    remaining = (
      await describePipeline(
        nodes.filter((node) => ids.has(node.id)),
        ctx,
      )
    ).filter(isFound);
  }
  return remaining;
}

export type PlanAction = 'create' | 'update' | 'unchanged';
export interface PlanEntry extends ResourceRef {
  action: PlanAction;
  /** What differs, as people read it (the same words in the plan and in --json). */
  changes: string[];
  arn?: string;
}

/** --dry-run: what setup would do, from describe alone. */
export function planFrom(described: Described[]): PlanEntry[] {
  return described.map((entry) => {
    if (entry.error) throw new StockpipeError(`cannot read ${entry.kind} ${entry.name}: ${entry.error}`);
    const observation = entry.observation as Observation;
    const action: PlanAction =
      observation.presence === 'missing' ? 'create' : observation.changes.length > 0 ? 'update' : 'unchanged';
    return {
      id: entry.id,
      kind: entry.kind,
      name: entry.name,
      action,
      changes: renderChanges(observation.changes),
      ...(observation.arn ? { arn: observation.arn } : {}),
    };
  });
}

function pick(outcome: ResourceOutcome): { arn?: string; detail?: string } {
  return { ...(outcome.arn ? { arn: outcome.arn } : {}), ...(outcome.detail ? { detail: outcome.detail } : {}) };
}
