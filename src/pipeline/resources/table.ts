/** DynamoDB tables: on-demand, TTL on expires_at, and (quotes) a NEW_IMAGE stream for the trends function. */

import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { onDemandTableKeys } from '../../core/tables.ts';
import { errorName, isNotFound, tagList, unlessNotFound, waiterParams } from '../aws-helpers.ts';
import { missing, type Observation, type PipelineContext, type ResourceNode } from '../types.ts';

export interface TableOptions {
  id: string;
  kind: string;
  name: string;
  key: { partition: string; sort: string };
  ttlAttribute: string;
  /** NEW_IMAGE stream for a consumer; undefined for no stream. */
  stream?: 'NEW_IMAGE';
}

/** The table's description, or undefined when it does not exist or is being deleted. */
export async function readTable(
  ctx: Pick<PipelineContext, 'clients'>,
  name: string,
): Promise<TableDescription | undefined> {
  const dynamodb = await ctx.clients.get('dynamodb');
  const result = await unlessNotFound(() => dynamodb.send(new DescribeTableCommand({ TableName: name })), undefined);
  const table = result?.Table;
  return table && table.TableStatus !== 'DELETING' ? table : undefined;
}

export function tableNode(options: TableOptions): ResourceNode {
  const { id, kind, name, key, ttlAttribute, stream } = options;
  return {
    id,
    kind,
    name,
    dependsOn: [],
    async describe(ctx): Promise<Observation> {
      const dynamodb = await ctx.clients.get('dynamodb');
      const table = await readTable(ctx, name);
      if (!table) return missing();
      const changes: string[] = [];
      if ((table.BillingModeSummary?.BillingMode ?? 'PROVISIONED') !== 'PAY_PER_REQUEST') {
        changes.push('billing → on-demand');
      }
      const streamSpec = table.StreamSpecification;
      const streamOn = streamSpec?.StreamEnabled === true;
      if (stream && (!streamOn || streamSpec?.StreamViewType !== stream)) changes.push(`stream ${stream}`);
      if (!stream && streamOn) changes.push('no stream');
      const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name }));
      const ttlStatus = ttl.TimeToLiveDescription?.TimeToLiveStatus;
      if (
        !(ttlStatus === 'ENABLED' || ttlStatus === 'ENABLING') ||
        ttl.TimeToLiveDescription?.AttributeName !== ttlAttribute
      ) {
        changes.push(`TTL on ${ttlAttribute}`);
      }
      const active = table.TableStatus === 'ACTIVE';
      return {
        presence: active ? 'present' : 'degraded',
        ...(table.TableArn ? { arn: table.TableArn } : {}),
        changes: ctx.spec ? changes : [],
        notes: active ? [] : [`status ${table.TableStatus}`],
      };
    },
    async ensure(ctx, observed) {
      const dynamodb = await ctx.clients.get('dynamodb');
      const wait = () => waitUntilTableExists(waiterParams(ctx, dynamodb), { TableName: name });
      const creating = observed.presence === 'missing';
      let arn = observed.arn;
      if (creating) {
        const created = await dynamodb.send(
          new CreateTableCommand({
            TableName: name,
            ...onDemandTableKeys(key),
            ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream } } : {}),
            Tags: tagList(ctx.tags),
          }),
        );
        arn = created.TableDescription?.TableArn;
      }
      await wait();
      const needs = (prefix: string) => observed.changes.some((change) => change.startsWith(prefix));
      if (needs('billing')) {
        await dynamodb.send(new UpdateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST' }));
        await wait();
      }
      if (needs('stream') || needs('no stream')) {
        await dynamodb.send(
          new UpdateTableCommand({
            TableName: name,
            StreamSpecification: stream ? { StreamEnabled: true, StreamViewType: stream } : { StreamEnabled: false },
          }),
        );
        await wait();
      }
      if (creating || needs('TTL')) {
        await dynamodb.send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { Enabled: true, AttributeName: ttlAttribute },
          }),
        );
      }
      return {
        action: creating ? 'created' : observed.changes.length > 0 ? 'updated' : 'unchanged',
        ...(arn ? { arn } : {}),
      };
    },
    async destroy(ctx) {
      const dynamodb = await ctx.clients.get('dynamodb');
      for (;;) {
        try {
          await dynamodb.send(new DeleteTableCommand({ TableName: name }));
          break;
        } catch (error) {
          if (isNotFound(error)) return 'absent';
          if (errorName(error) !== 'ResourceInUseException') throw error;
          // Already being deleted: wait for it to go. Being created or updated: wait, then delete.
          const current = await unlessNotFound(
            () => dynamodb.send(new DescribeTableCommand({ TableName: name })),
            undefined,
          );
          if (!current?.Table) return 'deleted';
          if (current.Table.TableStatus === 'DELETING') break;
          await waitUntilTableExists(waiterParams(ctx, dynamodb), { TableName: name });
        }
      }
      await waitUntilTableNotExists(waiterParams(ctx, dynamodb), { TableName: name });
      return 'deleted';
    },
  };
}
