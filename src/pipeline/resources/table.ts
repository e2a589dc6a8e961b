/** DynamoDB tables: on-demand, TTL on expires_at, and (quotes) a NEW_IMAGE stream for the trends function. */

import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type TableDescription,
  type TimeToLiveDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { onDemandTableKeys } from '../../core/tables.ts';
import { errorMessage } from '../../errors.ts';
import { errorName, isNotFound, pollUntil, tagList, unlessNotFound, waitFor } from '../aws-helpers.ts';
import {
  type Change,
  changesOf,
  hasChange,
  missing,
  type Observation,
  type ResourceContext,
  type ResourceNode,
} from '../types.ts';

/**
 * What to do about TTL: nothing (undefined), or the TTL as found and the attribute wanted.
 * UpdateTimeToLive is refused while TTL is DISABLING or enabled on another attribute, so it is
 * called only from DISABLED ({@link ttlChangeable}); any other state is reported, never fought.
 */
export function ttlChangeFor(description: TimeToLiveDescription | undefined, ttlAttribute: string): Change | undefined {
  const status = description?.TimeToLiveStatus ?? 'DISABLED';
  const attribute = description?.AttributeName;
  if ((status === 'ENABLED' || status === 'ENABLING') && attribute === ttlAttribute) return undefined;
  return { field: 'ttl', status, attribute, to: ttlAttribute };
}

/** Whether setup may enable TTL now (from DISABLED only); otherwise the change is reported, not made. */
const ttlChangeable = (change: Extract<Change, { field: 'ttl' }>): boolean => change.status === 'DISABLED';

/** Polls until the table reports no enabled stream (a disabled stream lingers as DISABLING). */
async function waitStreamOff(ctx: ResourceContext, name: string): Promise<void> {
  await pollUntil(
    ctx.timing,
    async () => {
      const table = await readTable(ctx, name);
      return table?.StreamSpecification?.StreamEnabled === true ? undefined : true;
    },
    `the stream of ${name} did not switch off`,
  );
}

/**
 * Enables the stream. Whether a table accepts a new stream while the old one is still DISABLING is
 * not documented either way, so "already has a stream" is retried until the poll budget runs out.
 */
async function enableStream(ctx: ResourceContext, name: string, stream: 'NEW_IMAGE'): Promise<void> {
  const dynamodb = await ctx.clients.get('dynamodb');
  await pollUntil(
    ctx.timing,
    async () => {
      try {
        await dynamodb.send(
          new UpdateTableCommand({
            TableName: name,
            StreamSpecification: { StreamEnabled: true, StreamViewType: stream },
          }),
        );
        return true;
      } catch (error) {
        if (errorName(error) === 'ResourceInUseException') return undefined;
        if (errorName(error) === 'ValidationException' && /stream/i.test(errorMessage(error))) return undefined;
        throw error;
      }
    },
    `could not enable the ${stream} stream of ${name}`,
  );
}

export interface TableOptions {
  id: 'quotes-table' | 'alerts-table';
  kind: string;
  name: string;
  key: { partition: string; sort: string };
  ttlAttribute: string;
  /** NEW_IMAGE stream for a consumer; undefined for no stream. */
  stream?: 'NEW_IMAGE';
}

/** The table's description, or undefined when it does not exist or is being deleted. */
export async function readTable(
  ctx: Pick<ResourceContext, 'clients'>,
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
      const changes: Change[] = [];
      const billing = table.BillingModeSummary?.BillingMode ?? 'PROVISIONED';
      if (billing !== 'PAY_PER_REQUEST') changes.push({ field: 'billingMode', from: billing, to: 'on-demand' });
      const streamSpec = table.StreamSpecification;
      const streamOn = streamSpec?.StreamEnabled === true;
      if (stream && !streamOn) changes.push({ field: 'stream', to: stream });
      if (stream && streamOn && streamSpec?.StreamViewType !== stream) {
        changes.push({ field: 'stream', from: String(streamSpec?.StreamViewType), to: stream });
      }
      if (!stream && streamOn) changes.push({ field: 'stream', from: String(streamSpec?.StreamViewType) });
      const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name }));
      const ttlChange = ttlChangeFor(ttl.TimeToLiveDescription, ttlAttribute);
      if (ttlChange) changes.push(ttlChange);
      const active = table.TableStatus === 'ACTIVE';
      return {
        presence: active ? 'present' : 'degraded',
        ...(table.TableArn ? { arn: table.TableArn } : {}),
        changes: ctx.spec ? changes : [],
        notes: active ? [] : [{ note: 'status', status: String(table.TableStatus) }],
      };
    },
    async ensure(ctx, observed) {
      const dynamodb = await ctx.clients.get('dynamodb');
      const wait = () => waitFor(ctx, dynamodb, waitUntilTableExists, { TableName: name });
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
      const streamChange = changesOf(observed.changes, 'stream')[0];
      const ttlChange = changesOf(observed.changes, 'ttl')[0];
      if (hasChange(observed.changes, 'billingMode')) {
        await dynamodb.send(new UpdateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST' }));
        await wait();
      }
      if (streamChange?.from !== undefined) {
        // A stream's view type cannot be changed in place (ValidationException): switch it off first.
        await dynamodb.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: false } }));
        await wait();
        await waitStreamOff(ctx, name);
      }
      if (stream && streamChange?.to !== undefined) {
        // The new stream gets a new LatestStreamArn: the trends mapping node moves onto it.
        await enableStream(ctx, name, stream);
        await wait();
      }
      if (creating || (ttlChange && ttlChangeable(ttlChange))) {
        await dynamodb.send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { Enabled: true, AttributeName: ttlAttribute },
          }),
        );
      }
      return {
        // A TTL state we may not change now is reported (in the changes), not acted on.
        action: creating
          ? 'created'
          : observed.changes.some((change) => !('field' in change && change.field === 'ttl' && !ttlChangeable(change)))
            ? 'updated'
            : 'unchanged',
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
          await waitFor(ctx, dynamodb, waitUntilTableExists, { TableName: name });
        }
      }
      await waitFor(ctx, dynamodb, waitUntilTableNotExists, { TableName: name });
      return 'deleted';
    },
  };
}
