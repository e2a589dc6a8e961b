/** Athena workgroup: its own results location (enforced), SSE-S3 results and a bytes-scanned cap per query. */
import {
  CreateWorkGroupCommand,
  DeleteWorkGroupCommand,
  GetWorkGroupCommand,
  UpdateWorkGroupCommand,
  type WorkGroupConfiguration,
} from '@aws-sdk/client-athena';
import { arns } from '../arns.ts';
import { tagList, unlessNotFound } from '../aws-helpers.ts';
import { missing, type Observation, type PipelineContext, type ResourceNode } from '../types.ts';

/** 1 GiB: a wide query over months of data costs cents, a runaway one is stopped. */
export const BYTES_SCANNED_CUTOFF = 1024 ** 3;

export function workgroupConfiguration(ctx: PipelineContext) {
  return {
    ResultConfiguration: {
      OutputLocation: `s3://${ctx.buckets.results}/results/`,
      EncryptionConfiguration: { EncryptionOption: 'SSE_S3' as const },
    },
    EnforceWorkGroupConfiguration: true,
    PublishCloudWatchMetricsEnabled: true,
    BytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF,
  };
}

function configChanges(current: WorkGroupConfiguration | undefined, ctx: PipelineContext): string[] {
  const want = workgroupConfiguration(ctx);
  const changes: string[] = [];
  if (current?.ResultConfiguration?.OutputLocation !== want.ResultConfiguration.OutputLocation) {
    changes.push('results location');
  }
  if (current?.BytesScannedCutoffPerQuery !== want.BytesScannedCutoffPerQuery) changes.push('bytes-scanned cap');
  if (current?.EnforceWorkGroupConfiguration !== true) changes.push('enforce configuration');
  return changes;
}

export function workgroupNode(name: string): ResourceNode {
  return {
    id: 'workgroup',
    kind: 'Athena workgroup',
    name,
    dependsOn: ['results-bucket'],
    async describe(ctx): Promise<Observation> {
      const athena = await ctx.clients.get('athena');
      const found = await unlessNotFound(() => athena.send(new GetWorkGroupCommand({ WorkGroup: name })), undefined);
      const workgroup = found?.WorkGroup;
      if (!workgroup) return missing();
      const changes = ctx.spec ? configChanges(workgroup.Configuration, ctx) : [];
      const enabled = workgroup.State !== 'DISABLED';
      if (ctx.spec && !enabled) changes.push('enable');
      return {
        presence: enabled ? 'present' : 'degraded',
        arn: arns.workgroup(ctx, name),
        changes,
        notes: enabled ? [] : ['disabled'],
      };
    },
    async ensure(ctx, observed) {
      const athena = await ctx.clients.get('athena');
      const Configuration = workgroupConfiguration(ctx);
      if (observed.presence === 'missing') {
        await athena.send(
          new CreateWorkGroupCommand({
            Name: name,
            Description: `stockpipe ${ctx.name}`,
            Configuration,
            Tags: tagList(ctx.tags),
          }),
        );
        return { action: 'created', arn: arns.workgroup(ctx, name) };
      }
      await athena.send(
        new UpdateWorkGroupCommand({
          WorkGroup: name,
          State: 'ENABLED',
          ConfigurationUpdates: {
            ResultConfigurationUpdates: { ...Configuration.ResultConfiguration },
            EnforceWorkGroupConfiguration: Configuration.EnforceWorkGroupConfiguration,
            PublishCloudWatchMetricsEnabled: Configuration.PublishCloudWatchMetricsEnabled,
            BytesScannedCutoffPerQuery: Configuration.BytesScannedCutoffPerQuery,
          },
        }),
      );
      return { action: 'updated', arn: arns.workgroup(ctx, name) };
    },
    async destroy(ctx) {
      const athena = await ctx.clients.get('athena');
      const found = await unlessNotFound(() => athena.send(new GetWorkGroupCommand({ WorkGroup: name })), undefined);
      if (!found?.WorkGroup) return 'absent';
      // Recursive: a workgroup that ran queries cannot be deleted otherwise.
      await athena.send(new DeleteWorkGroupCommand({ WorkGroup: name, RecursiveDeleteOption: true }));
      return 'deleted';
    },
  };
}
