/**
 * What setup, status and cleanup need from the target: on AWS nothing extra (STS identity, the
 * AWS graph); offline the local graph and the local stack's fixed identity.
 */
import type { PipelineDeps } from '../../commands/pipeline-deps.ts';
import type { StatusDeps } from '../../commands/status/run.ts';
import type { CommandContext } from '../context.ts';

export async function targetPipelineDeps(
  context: CommandContext,
): Promise<Pick<PipelineDeps, 'graph' | 'identity'> & Pick<StatusDeps, 'recordsLastHour'>> {
  if (context.settings.target !== 'local') return {};
  const { localIdentity, localPipelineGraph, localRecordsLastHour } = await import('../../local/graph.ts');
  return {
    graph: localPipelineGraph({ cwd: context.cwd }),
    identity: async () => localIdentity(),
    recordsLastHour: localRecordsLastHour,
  };
}
