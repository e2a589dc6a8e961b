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

/** What the person asked for: the desired state setup converges to. */
/**
 * A pipeline's settings as deployed (read back from the trends function's environment and the
 * log groups): an option a later setup leaves out keeps its deployed value, not its default.
 */
export interface DeployedSettings {
  strategy: StrategyConfig;
  language: AlertLanguage;
  logRetentionDays?: number;
}

export interface PipelineSpec {
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

export interface PipelineContext {
  clients: ClientSource;
  name: string;
  names: PipelineNames;
  buckets: { raw: string; results: string };
  account: string;
  region: string;
  partition: string;
  /** Desired state; undefined for status and cleanup, which only read or delete. */
  spec: PipelineSpec | undefined;
  code: CodeSource;
  timing: Timing;
  /** Tags every taggable resource carries. */
  tags: Record<string, string>;
}

export type Presence = 'present' | 'missing' | 'degraded';

export interface Observation {
  presence: Presence;
  arn?: string;
  /** What differs from the spec (empty when it matches, or when there is no spec). */
  changes: string[];
  /** Facts worth showing: why it is degraded, states, pending confirmations. */
  notes: string[];
}

export type EnsureAction = 'created' | 'updated' | 'unchanged';
export interface EnsureOutcome {
  action: EnsureAction;
  arn?: string;
}
export type DestroyOutcome = 'deleted' | 'absent';

export interface ResourceNode {
  /** Stable id, e.g. `ingest-function`; dependsOn refers to these. */
  id: string;
  /** Human label: "Lambda function". */
  kind: string;
  /** The physical name in AWS. */
  name: string;
  dependsOn: readonly string[];
  /**
   * What the resource costs per month while nothing flows (us-east-1 list prices, USD): setup
   * asks before creating any that costs something. Absent: nothing while idle.
   */
  idleMonthlyUsd?: number;
  describe(ctx: PipelineContext): Promise<Observation>;
  ensure(ctx: PipelineContext, observed: Observation): Promise<EnsureOutcome>;
  destroy(ctx: PipelineContext): Promise<DestroyOutcome>;
}

export const missing = (): Observation => ({ presence: 'missing', changes: [], notes: [] });
