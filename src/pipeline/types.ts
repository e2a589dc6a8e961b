/**
 * The resource graph's vocabulary (docs/architecture.md, Layers: src/pipeline). Every resource
 * kind is one node: `describe` reads (never mutates), `ensure` creates or updates only what
 * `describe` found missing or different, `destroy` deletes and treats NotFound as done.
 */
import type { ServiceClients, ServiceName } from '../aws/clients.ts';
import type { AlertLanguage } from '../core/alert-text.ts';
import type { PipelineNames } from '../core/names.ts';
import type { StrategyConfig } from '../core/strategies/index.ts';
import type { LambdaFunction } from '../packaging/lambda-zip.ts';
import type { NodeId } from './node-ids.ts';

/** Anything that hands out SDK clients: AwsClients, or a test double. */
export interface ClientSource {
  get<S extends ServiceName>(service: S): Promise<ServiceClients[S]>;
}

/** A Lambda package: the zip bytes and their base64 SHA-256 (what Lambda reports as CodeSha256). */
export interface LambdaCode {
  bytes: Uint8Array;
  sha256: string;
}
export type CodeSource = (fn: LambdaFunction) => Promise<LambdaCode>;

/**
 * A pipeline's settings as deployed (read back from the trends function's environment and the
 * log groups): an option a later setup leaves out keeps its deployed value, not its default.
 */
export interface DeployedSettings {
  strategy: StrategyConfig;
  language: AlertLanguage;
  logRetentionDays?: number;
}

/** What the person asked for: the settings setup converges the pipeline to. */
export interface DesiredSettings {
  emails: string[];
  strategy: StrategyConfig;
  language: AlertLanguage;
  logRetentionDays: number;
  anomalyThresholdPct: number;
  anomalyAlerts: boolean;
  ttlDays: number;
  cooldownMinutes: number;
  staleMinutes: number;
}

/** How long to wait and how to sleep; tests shrink every delay. */
export interface Timing {
  /** SDK waiter settings, in seconds. */
  waiter: { minDelay: number; maxDelay: number; maxWaitTime: number };
  sleep: (ms: number) => Promise<void>;
  /** First delay of the IAM-propagation backoff (doubles up to 10× this), and the total budget. */
  propagationDelayMs: number;
  propagationBudgetMs: number;
  /**
   * CreateBucket's 409 OperationAborted (a name deleted moments ago): first delay (doubling up to
   * 4× this) and the total budget before setup asks to rerun later.
   */
  bucketConflictDelayMs: number;
  bucketConflictBudgetMs: number;
  /** Re-reads before cleanup reports a resource as still present (deletes are eventually consistent). */
  settleReads: number;
  /** Polling where the SDK has no waiter (event source mapping states). */
  pollMs: number;
  pollBudgetMs: number;
  /** The clock setup sizes the lake's partition projection by (tests fix it). */
  now: () => Date;
}

/** What every resource node works with: clients, names, account and region, and (setup only) the desired settings. */
export interface ResourceContext {
  clients: ClientSource;
  name: string;
  names: PipelineNames;
  buckets: { raw: string; results: string };
  account: string;
  region: string;
  partition: string;
  /** Desired state; undefined for status and cleanup, which only read or delete. */
  spec: DesiredSettings | undefined;
  code: CodeSource;
  timing: Timing;
  /** Tags every taggable resource carries. */
  tags: Record<string, string>;
}

export type Presence = 'present' | 'missing' | 'degraded';

type Scalar = string | number | boolean;

/** Settings compared as a whole: the change names the setting only. */
export type WholeField =
  | 'tags'
  | 'trustPolicy'
  | 'inlinePolicy'
  | 'code'
  | 'role'
  | 'publicAccessBlock'
  | 'defaultEncryption'
  | 'tlsOnlyPolicy'
  | 'resultsLocation'
  | 'bytesScannedCap'
  | 'enforceConfiguration'
  | 'onFailureDestination'
  | 'filter'
  | 'dimensions'
  | 'actions'
  | 'actionsEnabled'
  | 'description'
  | 'enabled'
  | 'trendsCode'
  | 'ingestEnvironment'
  | 'trendsEnvironment'
  | 'handlerLoader';

/** Settings with a value: the change carries the value wanted, and the one found where it is shown. */
export type ValueField =
  | 'capacityMode'
  | 'encryption'
  | 'billingMode'
  | 'architecture'
  | 'runtime'
  | 'handler'
  | 'timeout'
  | 'memory'
  | 'logFormat'
  | 'logRetention'
  | 'expiry'
  // Event source mapping and alarm settings, by their AWS names.
  | 'BatchSize'
  | 'MaximumBatchingWindowInSeconds'
  | 'MaximumRetryAttempts'
  | 'MaximumRecordAgeInSeconds'
  | 'BisectBatchOnFunctionError'
  | 'FunctionResponseTypes'
  | 'Namespace'
  | 'MetricName'
  | 'Statistic'
  | 'Period'
  | 'EvaluationPeriods'
  | 'Threshold'
  | 'ComparisonOperator'
  | 'TreatMissingData';

/**
 * One difference between what is there and the spec: a field `{ field, from, to }`, or an action
 * on a part that is not a field (a policy to remove, a stale mapping, an address to subscribe).
 * `ensure` acts on these records; src/pipeline/render.ts alone turns them into words.
 */
export type Change =
  | { field: WholeField }
  | { field: ValueField; from?: Scalar | undefined; to: Scalar }
  /** Environment variables that differ, by name (values are not shown). */
  | { field: 'environment'; keys: string[] }
  /** A table's stream view type; undefined is no stream. */
  | { field: 'stream'; from?: string | undefined; to?: string | undefined }
  /** TTL as found (status, attribute) and the attribute wanted; only DISABLED may be changed now. */
  | { field: 'ttl'; status: string; attribute?: string | undefined; to: string }
  /** A part of a Glue table's definition we own. */
  | { field: 'tableDefinition'; part: string }
  | { field: 'view'; part: 'owner' | 'parameters' | 'definition' | 'columns' }
  /** A table under the view's name that is not a view (TableType as found). */
  | { field: 'tableType'; from?: string | undefined }
  | { action: 'removeInlinePolicy'; policy: string }
  | { action: 'detachPolicy'; policyArn: string }
  | { action: 'createOnCurrentSource' }
  | { action: 'removeStaleMapping'; uuid?: string | undefined; source?: string | undefined }
  | { action: 'subscribe'; email: string };

export type ChangeField = Extract<Change, { field: string }>['field'];

/** The field changes of one field, typed by it. */
export function changesOf<F extends ChangeField>(
  changes: readonly Change[],
  field: F,
): Extract<Change, { field: F }>[] {
  return changes.filter(
    (change): change is Extract<Change, { field: F }> => 'field' in change && change.field === field,
  );
}

export const hasChange = (changes: readonly Change[], ...fields: ChangeField[]): boolean =>
  changes.some((change) => 'field' in change && fields.includes(change.field));

/** Facts about a resource worth showing (status): its state, why it is degraded, what is pending. */
export type Note =
  /** A stream's or table's status other than ACTIVE. */
  | { note: 'status'; status: string }
  /** A function's, mapping's or alarm's state. */
  | { note: 'state'; state: string; reason?: string | undefined; actionsOff?: boolean }
  | { note: 'lastUpdateFailed'; reason?: string | undefined }
  | { note: 'lastProcessingResult'; result: string }
  /** Without a spec (status), how a resource that is not ours differs. */
  | { note: 'differs'; change: Change }
  | { note: 'leftover'; name: string }
  | { note: 'subscription'; email?: string | undefined; confirmed: boolean }
  | { note: 'staleMapping'; uuid?: string | undefined; source?: string | undefined }
  | { note: 'earlierName'; name: string }
  | { note: 'disabled' }
  | { note: 'shards'; count?: number | undefined }
  /** What stands in locally for a part that exists only on AWS. */
  | { note: 'standIn'; aws: string; local: string };

export interface Observation {
  presence: Presence;
  arn?: string;
  /** What differs from the spec (empty when it matches, or when there is no spec). */
  changes: Change[];
  /** Facts worth showing: why it is degraded, states, pending confirmations. */
  notes: Note[];
}

export type EnsureAction = 'created' | 'updated' | 'unchanged';
export interface EnsureOutcome {
  action: EnsureAction;
  arn?: string;
}
export type DestroyOutcome = 'deleted' | 'absent';

export interface ResourceNode {
  /** Stable id, e.g. `ingest-function`; dependsOn refers to these. */
  id: NodeId;
  /** Human label: "Lambda function". */
  kind: string;
  /** The physical name in AWS. */
  name: string;
  dependsOn: readonly NodeId[];
  /**
   * What the resource costs per month while nothing flows (us-east-1 list prices, USD): setup
   * asks before creating any that costs something. Absent: nothing while idle.
   */
  idleMonthlyUsd?: number;
  describe(ctx: ResourceContext): Promise<Observation>;
  ensure(ctx: ResourceContext, observed: Observation): Promise<EnsureOutcome>;
  destroy(ctx: ResourceContext): Promise<DestroyOutcome>;
}

export const missing = (): Observation => ({ presence: 'missing', changes: [], notes: [] });
