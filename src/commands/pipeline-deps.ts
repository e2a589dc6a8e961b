/** What setup, status and cleanup receive, built from a command's context (pipelineDeps). */
import type { ClientSource, CodeSource, Timing } from '../pipeline/types.ts';
import type { TargetPipeline } from '../targets/target.ts';
import type { IO } from '../ui/io.ts';
import type { Prompter } from '../ui/prompt.ts';
import type { CommandContext } from './command.ts';
import { whereFlags } from './shared/pipeline-flags.ts';

/** What setup, status and cleanup run with: the IO, the pipeline's name, the target's clients and TargetPipeline. */
export interface PipelineCommandDeps {
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
  /** What the target supplies: the graph, who and where, the feed command, the recent activity, the deployed settings. */
  pipeline: TargetPipeline;
  /** The flags that choose where the pipeline lives in a suggested command (default '': AWS). */
  targetFlags?: string;
  /** How the person runs stockpipe, for suggested commands (default `stockpipe`). */
  invocation?: string;
}

/** PipelineCommandDeps from a command's context: its target's clients and what it knows of the pipeline. */
export async function pipelineDeps(context: CommandContext): Promise<PipelineCommandDeps> {
  const { target } = context;
  return {
    io: context.io,
    name: context.settings.name,
    clients: target.clients,
    cwd: context.cwd,
    signal: context.signal,
    pipeline: await target.pipeline(),
    targetFlags: whereFlags(context),
    invocation: context.invocation,
  };
}

/** A stderr line that --json suppresses (stdout carries the one document). */
export function note(io: IO, line: string): void {
  if (!io.json) io.err(line);
}
