/**
 * What setup, status and cleanup receive, built from the command's context. The target decides
 * the rest: on AWS nothing extra (STS identity, the AWS graph, CloudWatch metrics); offline the
 * local graph, the local stack's fixed identity and the quotes table's own count.
 */
import type { StatusDeps } from '../commands/status/run.ts';
import type { CommandContext } from './context.ts';

export async function pipelineDeps(context: CommandContext): Promise<StatusDeps> {
  const common: StatusDeps = {
    io: context.io,
    name: context.settings.name,
    clients: context.aws,
    cwd: context.cwd,
    signal: context.signal,
    documentClient: () => context.aws.documentClient(),
  };
  if (context.settings.target !== 'local') return common;
  const { localIdentity, localPipelineGraph, localRecordsLastHour } = await import('../local/graph.ts');
  return {
    ...common,
    target: 'local',
    graph: localPipelineGraph({ cwd: context.cwd }),
    identity: async () => localIdentity(),
    recordsLastHour: localRecordsLastHour,
  };
}
