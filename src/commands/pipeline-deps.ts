/** What setup, status and cleanup receive: the IO, the pipeline name, the target's clients and model. */
import { awsPipelineGraph } from '../pipeline/aws-graph.ts';
import { callerIdentity, type Identity } from '../pipeline/run.ts';
import type {
  ClientSource,
  CodeSource,
  DeployedSettings,
  PipelineContext,
  ResourceNode,
  Timing,
} from '../pipeline/types.ts';
import type { IO } from '../ui/io.ts';
import type { Prompter } from '../ui/prompt.ts';
import type { CommandContext } from './command.ts';
import { whereFlags } from './shared/pipeline-flags.ts';

export interface PipelineDeps {
  io: IO;
  name: string;
  clients: ClientSource;
  cwd: string;
  /** Where the Lambda packages come from (default: dist/lambdas/<fn>.zip). */
  code?: CodeSource;
  /** Waiter and backoff delays (tests shrink them). */
  timing?: Partial<Timing>;
  prompter?: Prompter;
  /** Ctrl+C: nothing new starts, what runs finishes, and the command says how to resume. */
  signal?: AbortSignal;
  /** Who and where (default: STS GetCallerIdentity). */
  identity?: () => Promise<Identity>;
  /** The resource graph for this target (default: the AWS graph). */
  graph?: (ctx: PipelineContext) => ResourceNode[];
  /** The settings the pipeline was set up with, kept for options a setup leaves out (default: none read). */
  deployedSettings?: (ctx: PipelineContext) => Promise<DeployedSettings | undefined>;
  /** The flags that choose where the pipeline lives in a suggested command (default '': AWS). */
  targetFlags?: string;
  /** How the person runs stockpipe, for suggested commands (default `stockpipe`). */
  invocation?: string;
  /** The stream command that feeds a pipeline on this target (default: from Yahoo Finance). */
  feedCommand?: string;
}

export const feedCommandOf = (deps: PipelineDeps): string => deps.feedCommand ?? 'stream --symbol AAPL';

export const graphOf = (deps: PipelineDeps, ctx: PipelineContext): ResourceNode[] =>
  (deps.graph ?? awsPipelineGraph)(ctx);

export const identityOf = (deps: PipelineDeps): Promise<Identity> =>
  deps.identity ? deps.identity() : callerIdentity(deps.clients);

/** PipelineDeps from a command's context: its target's clients, graph and identity. */
export async function pipelineDeps(context: CommandContext): Promise<PipelineDeps> {
  const { target } = context;
  const model = await target.pipelineModel();
  return {
    io: context.io,
    name: context.settings.name,
    clients: target.clients,
    cwd: context.cwd,
    signal: context.signal,
    graph: model.graph,
    identity: model.identity,
    deployedSettings: model.deployedSettings,
    targetFlags: whereFlags(context),
    invocation: context.invocation,
    feedCommand: target.feedCommand,
  };
}

/** A stderr line that --json suppresses (stdout carries the one document). */
export function note(io: IO, line: string): void {
  if (!io.json) io.err(line);
}
