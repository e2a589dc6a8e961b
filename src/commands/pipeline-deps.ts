/** What setup, status and cleanup receive: the IO, the pipeline name, AWS clients and test seams. */
import { awsPipelineGraph } from '../pipeline/aws-graph.ts';
import { callerIdentity, type Identity } from '../pipeline/run.ts';
import type { ClientSource, CodeSource, PipelineContext, ResourceNode, Timing } from '../pipeline/types.ts';
import type { Target } from '../settings/validate.ts';
import type { IO } from '../ui/io.ts';
import type { Prompter } from '../ui/prompt.ts';

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
  /** Who and where (default: STS GetCallerIdentity); the local target has a fixed identity. */
  identity?: () => Promise<Identity>;
  /** The resource graph for this target (default: the AWS graph). */
  graph?: (ctx: PipelineContext) => ResourceNode[];
  /** Which target this is, for the commands that messages suggest (default aws). */
  target?: Target;
}

export const graphOf = (deps: PipelineDeps, ctx: PipelineContext): ResourceNode[] =>
  (deps.graph ?? awsPipelineGraph)(ctx);

export const identityOf = (deps: PipelineDeps): Promise<Identity> =>
  deps.identity ? deps.identity() : callerIdentity(deps.clients);

/** A stderr line that --json suppresses (stdout carries the one document). */
export function note(io: IO, line: string): void {
  if (!io.json) io.err(line);
}
