/** Kinesis stream: on-demand, KMS-encrypted with the AWS-managed key. */
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  ListTagsForStreamCommand,
  StartStreamEncryptionCommand,
  type StreamDescriptionSummary,
  UpdateStreamModeCommand,
  waitUntilStreamExists,
  waitUntilStreamNotExists,
} from '@aws-sdk/client-kinesis';
import { isNotFound, unlessNotFound, waitFor } from '../aws-helpers.ts';
import {
  type Change,
  hasChange,
  missing,
  type Note,
  type Observation,
  type ResourceContext,
  type ResourceNode,
} from '../types.ts';

export const STREAM_KMS_KEY = 'alias/aws/kinesis';

/**
 * KMS with the AWS-managed key, whether AWS reports it as the alias, the alias ARN or the key it
 * resolves to (a bare key id or key ARN is accepted, so setup never re-encrypts on every run).
 */
export function usesStreamKey(encryptionType: string | undefined, keyId: string | undefined): boolean {
  if (encryptionType !== 'KMS') return false;
  return (
    keyId === undefined || keyId === STREAM_KMS_KEY || keyId.endsWith(`:${STREAM_KMS_KEY}`) || !keyId.includes('alias/')
  );
}

/** The stream's summary, or undefined when it does not exist or is being deleted. */
export async function readStreamSummary(
  ctx: Pick<ResourceContext, 'clients'>,
  name: string,
): Promise<StreamDescriptionSummary | undefined> {
  const kinesis = await ctx.clients.get('kinesis');
  const result = await unlessNotFound(
    () => kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name })),
    undefined,
  );
  const summary = result?.StreamDescriptionSummary;
  return summary && summary.StreamStatus !== 'DELETING' ? summary : undefined;
}

/** What any stream's summary says on every target: present when ACTIVE, else degraded with its status. */
export function streamPresence(
  summary: StreamDescriptionSummary,
): Pick<Observation, 'presence' | 'arn'> & { notes: Note[] } {
  const active = summary.StreamStatus === 'ACTIVE';
  return {
    presence: active ? 'present' : 'degraded',
    ...(summary.StreamARN ? { arn: summary.StreamARN } : {}),
    notes: active ? [] : [{ note: 'status', status: String(summary.StreamStatus) }],
  };
}

export function streamNode(name: string): ResourceNode {
  return {
    id: 'stream',
    kind: 'Kinesis stream',
    name,
    dependsOn: [],
    // On-demand mode bills $0.04 per stream-hour whether or not records arrive.
    idleMonthlyUsd: 0.04 * 24 * 30,
    async describe(ctx): Promise<Observation> {
      const kinesis = await ctx.clients.get('kinesis');
      const summary = await readStreamSummary(ctx, name);
      if (!summary) return missing();
      const changes: Change[] = [];
      const mode = summary.StreamModeDetails?.StreamMode;
      if (mode !== 'ON_DEMAND') changes.push({ field: 'capacityMode', from: mode, to: 'on-demand' });
      if (!usesStreamKey(summary.EncryptionType, summary.KeyId)) {
        changes.push({ field: 'encryption', from: summary.KeyId, to: `KMS ${STREAM_KMS_KEY}` });
      }
      if (ctx.spec) {
        const tags = await kinesis.send(new ListTagsForStreamCommand({ StreamName: name }));
        const have = new Map((tags.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
        if (Object.entries(ctx.tags).some(([key, value]) => have.get(key) !== value)) changes.push({ field: 'tags' });
      }
      return { ...streamPresence(summary), changes: ctx.spec ? changes : [] };
    },
    async ensure(ctx, observed) {
      const kinesis = await ctx.clients.get('kinesis');
      const wait = () => waitFor(ctx, kinesis, waitUntilStreamExists, { StreamName: name });
      let arn = observed.arn;
      if (observed.presence === 'missing') {
        await kinesis.send(
          new CreateStreamCommand({ StreamName: name, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }),
        );
        await wait();
        await kinesis.send(new AddTagsToStreamCommand({ StreamName: name, Tags: ctx.tags }));
        const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        arn = summary.StreamDescriptionSummary?.StreamARN;
        await kinesis.send(
          new StartStreamEncryptionCommand({ StreamName: name, EncryptionType: 'KMS', KeyId: STREAM_KMS_KEY }),
        );
        await wait();
        return { action: 'created', ...(arn ? { arn } : {}) };
      }
      await wait();
      if (hasChange(observed.changes, 'tags')) {
        await kinesis.send(new AddTagsToStreamCommand({ StreamName: name, Tags: ctx.tags }));
      }
      if (hasChange(observed.changes, 'capacityMode')) {
        await kinesis.send(
          new UpdateStreamModeCommand({ StreamARN: arn, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }),
        );
        await wait();
      }
      if (hasChange(observed.changes, 'encryption')) {
        await kinesis.send(
          new StartStreamEncryptionCommand({ StreamName: name, EncryptionType: 'KMS', KeyId: STREAM_KMS_KEY }),
        );
        await wait();
      }
      return { action: observed.changes.length > 0 ? 'updated' : 'unchanged', ...(arn ? { arn } : {}) };
    },
    async destroy(ctx) {
      const kinesis = await ctx.clients.get('kinesis');
      try {
        await kinesis.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
      } catch (error) {
        if (isNotFound(error)) return 'absent';
        throw error;
      }
      await waitFor(ctx, kinesis, waitUntilStreamNotExists, { StreamName: name });
      return 'deleted';
    },
  };
}
