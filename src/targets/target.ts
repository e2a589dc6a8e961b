/**
 * Where a pipeline runs: real AWS, or the embedded offline stack. The CLI chooses the target once
 * from the settings (./create.ts) and every command receives what it needs from it — clients, the
 * resource graph, the query engine, the log source — so no command asks which target it is on.
 */
import type { AwsClients } from '../aws/clients.ts';
import type { IngestOutcomes } from '../logs/ingest-summaries.ts';
import type { LogEventSource, LogFunction } from '../logs/source.ts';
import type { Backlog } from '../pipeline/aws-activity.ts';
import type { Identity } from '../pipeline/run.ts';
import type { DeployedSettings, ResourceContext, ResourceNode } from '../pipeline/types.ts';
import type { PipelineProgress } from '../producer/pacer.ts';
import type { QueryRunner } from '../query/runner.ts';

export interface Target {
  /**
   * The flags that select this target in a suggested command ('' on AWS, the default), so that
   * "run `stockpipe setup --target local`" can be pasted as printed.
   */
  readonly flags: string;
  /** SDK clients for this target (created on first use; the CLI destroys them after the command). */
  readonly clients: AwsClients;
  /** Why this target cannot send alert e-mail, when it cannot. */
  readonly noEmail?: string;
  /** Whether the pipeline exists, where that is known without a network call (offline: its registry file). */
  hasPipeline?(pipeline: string): Promise<boolean>;
  /** What setup, status and cleanup walk here (loaded on first use: the graphs import every resource kind). */
  pipeline(): Promise<TargetPipeline>;
  /** The SQL engine over the pipeline's lake. */
  queryRunner(pipeline: string): Promise<QueryRunner>;
  /** The pipeline functions' logs. `onMissing` hears of a log group that does not exist yet. */
  logSource(pipeline: string, functions: LogFunction[], onMissing: (group: string) => void): Promise<LogEventSource>;
  /**
   * How far a pipeline's functions are, for `stream` to pace itself by (./local.ts). Real Kinesis
   * throttles a producer at its shards' limit itself, so AWS has none.
   */
  pipelineProgress?(pipeline: string): Promise<PipelineProgress | undefined>;
  /**
   * Keeps every stored record visible to the query engine. AWS: widens the raw tables' partition
   * projection to `oldest` (the oldest timestamp a replay is about to send) or, without it, to the
   * oldest partitions the lake stores (docs/lake.md). Offline DuckDB reads every folder: none.
   * Resolves to what it widened, as lines to tell.
   */
  coverLake?(pipeline: string, oldest?: string): Promise<string[]>;
  /** While `stream` runs: switch on the no-incoming-data alarm; resolves to the switch-off. */
  armNoDataAlarm(pipeline: string, debug: (line: string) => void): Promise<() => Promise<void>>;
  /** After a pipeline was deleted: tidy what only this target keeps; returns a line to say, if any. */
  afterCleanup(): Promise<string | undefined>;
}

/** What a target knows of a pipeline there: its resource graph, who and where, the command that feeds it, its recent activity, its deployed settings. */
export interface TargetPipeline {
  /** The pipeline's resources on this target, as a graph. */
  graph(ctx: ResourceContext): ResourceNode[];
  /** The stream command that feeds the pipeline here, as setup and status suggest it. */
  feedCommand: string;
  /** Who and where the pipeline lives. */
  identity(): Promise<Identity>;
  /** Records the stream took in over the last hour. */
  recordsLastHour: (ctx: ResourceContext, now: Date) => Promise<number>;
  /** How the ingest function ended the records it took in the last hour. */
  ingestedLastHour: (ctx: ResourceContext, now: Date) => Promise<IngestOutcomes>;
  /** Points the trends strategy could not judge in the last hour. */
  strategyErrorsLastHour: (ctx: ResourceContext, now: Date) => Promise<number>;
  /** How far behind each function is. */
  backlog: (ctx: ResourceContext, now: Date) => Promise<Backlog>;
  /** The settings the pipeline was set up with; undefined before the first setup. */
  deployedSettings: (ctx: ResourceContext) => Promise<DeployedSettings | undefined>;
}

export interface TargetOptions {
  /** The command creates the pipeline, so offline it may start a stack where none ran. */
  createsPipeline?: boolean;
}
