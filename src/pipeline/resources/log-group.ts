/** CloudWatch log groups, created before their function so the retention applies from the first line. */
import {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { arns } from '../arns.ts';
import { errorName, isNotFound } from '../aws-helpers.ts';
import { DEFAULT_LOG_RETENTION_DAYS } from '../log-retention.ts';
import { type Change, missing, type Observation, type ResourceNode } from '../types.ts';

export function logGroupNode(id: 'ingest-log-group' | 'trends-log-group', name: string): ResourceNode {
  return {
    id,
    kind: 'Log group',
    name,
    dependsOn: [],
    async describe(ctx): Promise<Observation> {
      const logs = await ctx.clients.get('logs');
      const result = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
      const group = result.logGroups?.find((candidate) => candidate.logGroupName === name);
      if (!group) return missing();
      const changes: Change[] = [];
      const retention = ctx.spec?.logRetentionDays;
      if (retention !== undefined && group.retentionInDays !== retention) {
        changes.push({ field: 'logRetention', from: group.retentionInDays, to: retention });
      }
      return { presence: 'present', arn: arns.logGroup(ctx, name), changes, notes: [] };
    },
    async ensure(ctx, observed) {
      const logs = await ctx.clients.get('logs');
      const creating = observed.presence === 'missing';
      if (creating) {
        try {
          await logs.send(new CreateLogGroupCommand({ logGroupName: name, tags: ctx.tags }));
        } catch (error) {
          // Lambda may have created it first when the function ran.
          if (errorName(error) !== 'ResourceAlreadyExistsException') throw error;
        }
      }
      const retentionInDays = ctx.spec?.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
      await logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays }));
      return { action: creating ? 'created' : 'updated', arn: arns.logGroup(ctx, name) };
    },
    async destroy(ctx) {
      const logs = await ctx.clients.get('logs');
      try {
        await logs.send(new DeleteLogGroupCommand({ logGroupName: name }));
        return 'deleted';
      } catch (error) {
        if (isNotFound(error)) return 'absent';
        throw error;
      }
    },
  };
}
