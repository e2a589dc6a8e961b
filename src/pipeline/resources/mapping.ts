/**
 * Event source mappings, with safe settings instead of Lambda's dangerous defaults: partial batch
 * failures, bisect on error, bounded retries and record age, and an on-failure destination so
 * nothing is dropped silently. Created only after the role's policy exists; deleting waits until
 * the mapping is gone, so the function can go next.
 */
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
  GetEventSourceMappingCommand,
  type LambdaClient,
  paginateListEventSourceMappings,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  allItems,
  canonicalJson,
  errorName,
  isNotFound,
  pollUntil,
  retryIamPropagation,
  unlessNotFound,
} from '../aws-helpers.ts';
import type { MappingId, NodeId } from '../node-ids.ts';
import {
  type Change,
  missing,
  type Note,
  type Observation,
  type ResourceContext,
  type ResourceNode,
} from '../types.ts';

/**
 * Records per invocation, 500 for both: the handlers do their work per batch (one Query per symbol
 * in trends, one lake object per date or month run in ingest), so a larger batch costs fewer
 * requests and objects per record when a mapping catches up (a replay, a backlog), while at live
 * rates the 1 s batching window, not the size, ends a batch. Offline, a replay of 200,000 daily
 * rows: ingest and trends at 100 each, 125 s until queryable; trends at 500, 112–136 s; both at
 * 500, 96 s.
 */
export const MAPPING_BATCH_SIZES = { ingest: 500, trends: 500 } as const;

export const MAPPING_SETTINGS = {
  MaximumBatchingWindowInSeconds: 1,
  MaximumRetryAttempts: 3,
  MaximumRecordAgeInSeconds: 3600,
  BisectBatchOnFunctionError: true,
  FunctionResponseTypes: ['ReportBatchItemFailures'],
  StartingPosition: 'TRIM_HORIZON',
} as const;

/** States in which Lambda accepts an UpdateEventSourceMapping. */
const SETTLED_STATES: ReadonlySet<string> = new Set(['Enabled', 'Disabled']);

export const INSERT_ONLY_FILTER = { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] };

export interface MappingOptions {
  id: MappingId;
  kind: string;
  functionName: string;
  batchSize: number;
  dependsOn: NodeId[];
  /** The source ARN, or undefined when the source does not exist yet. */
  sourceArn: (ctx: ResourceContext) => Promise<string | undefined>;
  onFailureArn: (ctx: ResourceContext) => string;
  filter?: typeof INSERT_ONLY_FILTER;
}

async function listMappings(lambda: LambdaClient, FunctionName: string): Promise<EventSourceMappingConfiguration[]> {
  return (
    (await allItems(
      paginateListEventSourceMappings({ client: lambda }, { FunctionName }),
      (page) => page.EventSourceMappings,
    )) ?? []
  );
}

function filterPatterns(filter: { Filters?: { Pattern?: string | undefined }[] | undefined } | undefined): string {
  return canonicalJson((filter?.Filters ?? []).map((entry) => JSON.parse(entry.Pattern ?? 'null')));
}

export function mappingNode(options: MappingOptions): ResourceNode {
  const { id, kind, functionName, batchSize, dependsOn, sourceArn, onFailureArn, filter } = options;

  const settings = (ctx: ResourceContext) => ({
    BatchSize: batchSize,
    MaximumBatchingWindowInSeconds: MAPPING_SETTINGS.MaximumBatchingWindowInSeconds,
    MaximumRetryAttempts: MAPPING_SETTINGS.MaximumRetryAttempts,
    MaximumRecordAgeInSeconds: MAPPING_SETTINGS.MaximumRecordAgeInSeconds,
    BisectBatchOnFunctionError: MAPPING_SETTINGS.BisectBatchOnFunctionError,
    FunctionResponseTypes: [...MAPPING_SETTINGS.FunctionResponseTypes],
    DestinationConfig: { OnFailure: { Destination: onFailureArn(ctx) } },
    ...(filter ? { FilterCriteria: filter } : {}),
  });

  const differences = (ctx: ResourceContext, current: EventSourceMappingConfiguration): Change[] => {
    const want = settings(ctx);
    const changes: Change[] = [];
    for (const key of [
      'BatchSize',
      'MaximumBatchingWindowInSeconds',
      'MaximumRetryAttempts',
      'MaximumRecordAgeInSeconds',
      'BisectBatchOnFunctionError',
    ] as const) {
      if (current[key] !== want[key]) changes.push({ field: key, from: current[key], to: want[key] });
    }
    if (canonicalJson(current.FunctionResponseTypes ?? []) !== canonicalJson(want.FunctionResponseTypes)) {
      changes.push({
        field: 'FunctionResponseTypes',
        from: (current.FunctionResponseTypes ?? []).join(', '),
        to: want.FunctionResponseTypes.join(', '),
      });
    }
    if (current.DestinationConfig?.OnFailure?.Destination !== want.DestinationConfig.OnFailure.Destination) {
      changes.push({ field: 'onFailureDestination' });
    }
    if (filterPatterns(current.FilterCriteria) !== filterPatterns(want.FilterCriteria))
      changes.push({ field: 'filter' });
    if (current.State === 'Disabled' || current.State === 'Disabling') changes.push({ field: 'enabled' });
    return changes;
  };

  /**
   * Our mapping: the function's mapping from the current source. Any other mapping of the function
   * is stale — left on an older source (a re-enabled DynamoDB stream has a new LatestStreamArn, a
   * recreated Kinesis stream a new ARN) — and is replaced.
   */
  const find = async (ctx: ResourceContext) => {
    const lambda = await ctx.clients.get('lambda');
    const source = await sourceArn(ctx);
    const mappings = await listMappings(lambda, functionName);
    // Lambda refuses a second mapping of one function and source; moto does not, so when two setups
    // raced there, both agree to keep the lowest UUID and treat the other as stale.
    const current = mappings
      .filter((mapping) => source !== undefined && mapping.EventSourceArn === source)
      .sort((a, b) => (a.UUID ?? '').localeCompare(b.UUID ?? ''))[0];
    const stale = mappings.filter((mapping) => mapping !== current && mapping.State !== 'Deleting');
    return { lambda, source, current, stale };
  };

  /** Waits out Creating/Updating/Enabling/Disabling: Lambda refuses updates then (ResourceInUseException). */
  const waitSettled = (ctx: ResourceContext, lambda: LambdaClient, UUID: string) =>
    pollUntil(
      ctx.timing,
      async () => {
        const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID }));
        return SETTLED_STATES.has(mapping.State ?? '') ? mapping : undefined;
      },
      `the event source mapping of ${functionName} stayed in a transitional state`,
    );

  const waitEnabled = (ctx: ResourceContext, lambda: LambdaClient, UUID: string) =>
    pollUntil(
      ctx.timing,
      async () => {
        const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID }));
        if (mapping.State === 'Enabled') return mapping;
        if (mapping.State === 'Disabled' || mapping.State === 'Disabling') {
          throw new Error(`the mapping ${UUID} is ${mapping.State}: ${mapping.StateTransitionReason ?? ''}`);
        }
        return undefined;
      },
      `the event source mapping of ${functionName} did not become Enabled`,
    );

  return {
    id,
    kind,
    name: `${functionName} ← ${kind.replace(/ mapping$/, '')}`,
    dependsOn,
    async describe(ctx): Promise<Observation> {
      const { current, stale } = await find(ctx);
      const staleChanges = stale.map(
        (mapping): Change => ({ action: 'removeStaleMapping', uuid: mapping.UUID, source: mapping.EventSourceArn }),
      );
      const staleNotes = stale.map(
        (mapping): Note => ({ note: 'staleMapping', uuid: mapping.UUID, source: mapping.EventSourceArn }),
      );
      if (!current) {
        if (stale.length === 0) return missing();
        // Only stale ones (status and cleanup still see them): create on the current source, remove those.
        return {
          presence: 'degraded',
          changes: ctx.spec ? [{ action: 'createOnCurrentSource' }, ...staleChanges] : [],
          notes: staleNotes,
        };
      }
      const state = current.State ?? 'unknown';
      const notes: Note[] = [{ note: 'state', state }];
      if (current.LastProcessingResult && current.LastProcessingResult !== 'OK') {
        notes.push({ note: 'lastProcessingResult', result: current.LastProcessingResult });
      }
      return {
        presence: state === 'Enabled' ? 'present' : 'degraded',
        ...(current.EventSourceMappingArn ? { arn: current.EventSourceMappingArn } : {}),
        changes: ctx.spec ? [...differences(ctx, current), ...staleChanges] : [],
        notes: [...notes, ...staleNotes],
      };
    },
    async ensure(ctx) {
      const { lambda, source, current, stale } = await find(ctx);
      if (!source) throw new Error(`the event source of ${functionName} does not exist`);
      for (const mapping of stale) await deleteMapping(ctx, lambda, mapping.UUID as string);
      if (!current) {
        // The role's policy was just written: Lambda may not see it for a few seconds.
        const created = await retryIamPropagation(ctx.timing, () =>
          lambda.send(
            new CreateEventSourceMappingCommand({
              FunctionName: functionName,
              EventSourceArn: source,
              StartingPosition: MAPPING_SETTINGS.StartingPosition,
              Enabled: true,
              ...settings(ctx),
            }),
          ),
        );
        const kept = (await find(ctx)).current;
        if (created.UUID && kept?.UUID && kept.UUID !== created.UUID) {
          // Another setup created the same mapping at the same moment: keep theirs.
          await deleteMapping(ctx, lambda, created.UUID);
          return { action: 'unchanged', ...(kept.EventSourceMappingArn ? { arn: kept.EventSourceMappingArn } : {}) };
        }
        if (created.UUID && created.State !== 'Enabled') await waitEnabled(ctx, lambda, created.UUID);
        return { action: 'created', ...(created.EventSourceMappingArn ? { arn: created.EventSourceMappingArn } : {}) };
      }
      const UUID = current.UUID as string;
      const arn = current.EventSourceMappingArn ? { arn: current.EventSourceMappingArn } : {};
      // After an interrupted run the mapping may still be Creating or Updating: let it settle first.
      const settled = await waitSettled(ctx, lambda, UUID);
      if (differences(ctx, settled).length === 0) {
        await waitEnabled(ctx, lambda, UUID);
        return { action: stale.length > 0 ? 'updated' : 'unchanged', ...arn };
      }
      await retryIamPropagation(ctx.timing, () =>
        lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: true, ...settings(ctx) })),
      );
      await waitEnabled(ctx, lambda, UUID);
      return { action: 'updated', ...arn };
    },
    async destroy(ctx) {
      const lambda = await ctx.clients.get('lambda');
      // Every mapping of the function goes, including one left on an older source.
      const mappings = await listMappings(lambda, functionName);
      for (const mapping of mappings) await deleteMapping(ctx, lambda, mapping.UUID as string);
      return mappings.length > 0 ? 'deleted' : 'absent';
    },
  };
}

/** Deletes a mapping (retrying while it is Creating/Updating) and waits until it is gone. */
async function deleteMapping(ctx: ResourceContext, lambda: LambdaClient, UUID: string): Promise<void> {
  await pollUntil(
    ctx.timing,
    async () => {
      try {
        await lambda.send(new DeleteEventSourceMappingCommand({ UUID }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return true;
        // Still being created or updated: try again shortly.
        if (errorName(error) === 'ResourceInUseException') return undefined;
        throw error;
      }
    },
    `could not delete the event source mapping ${UUID}`,
  );
  await pollUntil(
    ctx.timing,
    async () => {
      const still = await unlessNotFound(() => lambda.send(new GetEventSourceMappingCommand({ UUID })), undefined);
      return still ? undefined : true;
    },
    `the event source mapping ${UUID} is still being deleted`,
  );
}
