/** Athena workgroup: its own results location (enforced), SSE-S3 results and a bytes-scanned cap per query. */
import {
  type AthenaClient,
  CreateWorkGroupCommand,
  DeleteWorkGroupCommand,
  GetWorkGroupCommand,
  ListTagsForResourceCommand,
  UpdateWorkGroupCommand,
  type WorkGroupConfiguration,
} from '@aws-sdk/client-athena';
import { pipelineOfTags } from '../../core/names.ts';
import { arns } from '../arns.ts';
import { tagList, unlessNotFound } from '../aws-helpers.ts';
import { type Change, missing, type Observation, type ResourceContext, type ResourceNode } from '../types.ts';

/** 1 GiB: a wide query over months of data costs cents, a runaway one is stopped. */
export const BYTES_SCANNED_CUTOFF = 1024 ** 3;

export function workgroupConfiguration(ctx: ResourceContext) {
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

function configChanges(current: WorkGroupConfiguration | undefined, ctx: ResourceContext): Change[] {
  const want = workgroupConfiguration(ctx);
  const changes: Change[] = [];
  if (current?.ResultConfiguration?.OutputLocation !== want.ResultConfiguration.OutputLocation) {
    changes.push({ field: 'resultsLocation' });
  }
  if (current?.BytesScannedCutoffPerQuery !== want.BytesScannedCutoffPerQuery)
    changes.push({ field: 'bytesScannedCap' });
  if (current?.EnforceWorkGroupConfiguration !== true) changes.push({ field: 'enforceConfiguration' });
  return changes;
}

/**
 * The workgroup earlier versions created under the pipeline's bare name, when it exists and is
 * tagged as this pipeline's (under the current or the legacy tag key): never someone else's, and
 * never `primary` (no pipeline may be called that).
 */
async function legacyWorkgroupOf(ctx: ResourceContext, athena: AthenaClient, legacy: string): Promise<boolean> {
  if (legacy === 'primary') return false;
  const found = await unlessNotFound(() => athena.send(new GetWorkGroupCommand({ WorkGroup: legacy })), undefined);
  if (!found?.WorkGroup) return false;
  const tags = await unlessNotFound(
    () => athena.send(new ListTagsForResourceCommand({ ResourceARN: arns.workgroup(ctx, legacy) })),
    undefined,
  );
  const map = new Map((tags?.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
  return pipelineOfTags(map) === ctx.name;
}

/** `name` is the workgroup's name; `legacy` where earlier versions put it, found and removed by cleanup. */
export function workgroupNode(name: string, legacy?: string): ResourceNode {
  return {
    id: 'workgroup',
    kind: 'Athena workgroup',
    name,
    dependsOn: ['results-bucket'],
    async describe(ctx): Promise<Observation> {
      const athena = await ctx.clients.get('athena');
      const found = await unlessNotFound(() => athena.send(new GetWorkGroupCommand({ WorkGroup: name })), undefined);
      const workgroup = found?.WorkGroup;
      if (!workgroup) {
        // Status and cleanup (no spec) still see a pipeline set up by an earlier version.
        if (!ctx.spec && legacy && (await legacyWorkgroupOf(ctx, athena, legacy))) {
          return {
            presence: 'present',
            arn: arns.workgroup(ctx, legacy),
            changes: [],
            notes: [{ note: 'earlierName', name: legacy }],
          };
        }
        return missing();
      }
      const changes = ctx.spec ? configChanges(workgroup.Configuration, ctx) : [];
      const enabled = workgroup.State !== 'DISABLED';
      if (ctx.spec && !enabled) changes.push({ field: 'enabled' });
      return {
        presence: enabled ? 'present' : 'degraded',
        arn: arns.workgroup(ctx, name),
        changes,
        notes: enabled ? [] : [{ note: 'disabled' }],
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
      const targets = found?.WorkGroup ? [name] : [];
      if (legacy && (await legacyWorkgroupOf(ctx, athena, legacy))) targets.push(legacy);
      for (const WorkGroup of targets) {
        // Recursive: a workgroup that ran queries cannot be deleted otherwise.
        await unlessNotFound(
          () => athena.send(new DeleteWorkGroupCommand({ WorkGroup, RecursiveDeleteOption: true })),
          undefined,
        );
      }
      return targets.length > 0 ? 'deleted' : 'absent';
    },
  };
}
