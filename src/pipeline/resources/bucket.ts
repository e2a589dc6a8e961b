/**
 * S3 buckets: public access blocked, SSE-S3 by default, TLS-only bucket policy, tags, and for the
 * Athena results bucket a lifecycle rule expiring query results. Deleting empties every object
 * version and delete marker first.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
  waitUntilBucketNotExists,
} from '@aws-sdk/client-s3';
import { retry } from '../../core/retry.ts';
import { StockpipeError } from '../../errors.ts';
import { arns } from '../arns.ts';
import { canonicalJson, errorName, isNotFound, tagList, waitFor } from '../aws-helpers.ts';
import type { NodeId } from '../node-ids.ts';
import {
  type Change,
  type ChangeField,
  hasChange,
  missing,
  type Observation,
  type ResourceContext,
  type ResourceNode,
} from '../types.ts';

export const RESULTS_EXPIRY_DAYS = 7;
const LIFECYCLE_RULE_ID = 'expire-query-results';

export interface BucketOptions {
  id: 'raw-bucket' | 'results-bucket';
  kind: string;
  name: string;
  /** Days after which every object expires (the results bucket); undefined keeps objects. */
  expireAfterDays?: number;
}

export function tlsOnlyPolicy(ctx: ResourceContext, bucket: string) {
  const arn = arns.bucket(ctx, bucket);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };
}

const PUBLIC_ACCESS_BLOCK = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

async function readOrUndefined<T>(call: () => Promise<T>, absentNames: string[]): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (absentNames.includes(errorName(error))) return undefined;
    throw error;
  }
}

export function bucketNode(options: BucketOptions, dependsOn: NodeId[] = []): ResourceNode {
  const { id, kind, name, expireAfterDays } = options;
  const Bucket = name;

  return {
    id,
    kind,
    name,
    dependsOn,
    async describe(ctx): Promise<Observation> {
      const s3 = await ctx.clients.get('s3');
      try {
        await s3.send(new HeadBucketCommand({ Bucket }));
      } catch (error) {
        if (isNotFound(error) || errorName(error) === 'NoSuchBucket') return missing();
        if (isForbidden(error)) {
          // 403 says only "not allowed": our identity may lack s3:ListBucket, or the name may be
          // someone else's. HeadBucket cannot tell which, so say both.
          throw new StockpipeError(
            `no permission to read the bucket ${name} (HeadBucket: 403 Forbidden): allow s3:ListBucket on it for your identity, or — if the name belongs to another AWS account — choose another --name`,
          );
        }
        throw error;
      }
      const arn = arns.bucket(ctx, name);
      if (!ctx.spec) return { presence: 'present', arn, changes: [], notes: [] };
      const changes: Change[] = [];
      const tagging = await readOrUndefined(() => s3.send(new GetBucketTaggingCommand({ Bucket })), ['NoSuchTagSet']);
      const have = new Map((tagging?.TagSet ?? []).map((tag) => [tag.Key, tag.Value]));
      if (Object.entries(ctx.tags).some(([key, value]) => have.get(key) !== value)) changes.push({ field: 'tags' });
      const block = await readOrUndefined(
        () => s3.send(new GetPublicAccessBlockCommand({ Bucket })),
        ['NoSuchPublicAccessBlockConfiguration'],
      );
      const config = block?.PublicAccessBlockConfiguration;
      if (
        !config ||
        !Object.entries(PUBLIC_ACCESS_BLOCK).every(([key, value]) => config[key as keyof typeof config] === value)
      ) {
        changes.push({ field: 'publicAccessBlock' });
      }
      const encryption = await readOrUndefined(
        () => s3.send(new GetBucketEncryptionCommand({ Bucket })),
        ['ServerSideEncryptionConfigurationNotFoundError'],
      );
      const algorithm =
        encryption?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
      if (algorithm !== 'AES256' && algorithm !== 'aws:kms') changes.push({ field: 'defaultEncryption' });
      const policy = await readOrUndefined(
        () => s3.send(new GetBucketPolicyCommand({ Bucket })),
        ['NoSuchBucketPolicy'],
      );
      if (!policy?.Policy || canonicalJson(JSON.parse(policy.Policy)) !== canonicalJson(tlsOnlyPolicy(ctx, name))) {
        changes.push({ field: 'tlsOnlyPolicy' });
      }
      if (expireAfterDays !== undefined) {
        const lifecycle = await readOrUndefined(
          () => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })),
          ['NoSuchLifecycleConfiguration'],
        );
        const rule = lifecycle?.Rules?.find((candidate) => candidate.ID === LIFECYCLE_RULE_ID);
        if (rule?.Status !== 'Enabled' || rule.Expiration?.Days !== expireAfterDays) {
          changes.push({ field: 'expiry', from: rule?.Expiration?.Days, to: expireAfterDays });
        }
      }
      return { presence: 'present', arn, changes, notes: [] };
    },
    async ensure(ctx, observed) {
      const s3 = await ctx.clients.get('s3');
      const arn = arns.bucket(ctx, name);
      const creating = observed.presence === 'missing';
      if (creating) await createBucket(ctx, s3, Bucket);
      const needs = (field: ChangeField) => creating || hasChange(observed.changes, field);
      if (needs('tags')) {
        // Replaces the tag set: keep tags someone else added, set ours.
        const current = creating
          ? []
          : ((await readOrUndefined(() => s3.send(new GetBucketTaggingCommand({ Bucket })), ['NoSuchTagSet']))
              ?.TagSet ?? []);
        const merged = new Map(current.map((tag) => [tag.Key, tag.Value]));
        for (const [key, value] of Object.entries(ctx.tags)) merged.set(key, value);
        await s3.send(
          new PutBucketTaggingCommand({
            Bucket,
            Tagging: { TagSet: tagList(Object.fromEntries(merged) as Record<string, string>) },
          }),
        );
      }
      if (needs('publicAccessBlock')) {
        await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: PUBLIC_ACCESS_BLOCK }));
      }
      if (needs('defaultEncryption')) {
        await s3.send(
          new PutBucketEncryptionCommand({
            Bucket,
            ServerSideEncryptionConfiguration: {
              Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }],
            },
          }),
        );
      }
      if (needs('tlsOnlyPolicy')) {
        await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(tlsOnlyPolicy(ctx, name)) }));
      }
      if (expireAfterDays !== undefined && needs('expiry')) {
        await s3.send(
          new PutBucketLifecycleConfigurationCommand({
            Bucket,
            LifecycleConfiguration: {
              Rules: [
                {
                  ID: LIFECYCLE_RULE_ID,
                  Status: 'Enabled',
                  Filter: { Prefix: '' },
                  Expiration: { Days: expireAfterDays },
                  AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
                },
              ],
            },
          }),
        );
      }
      return { action: creating ? 'created' : observed.changes.length > 0 ? 'updated' : 'unchanged', arn };
    },
    async destroy(ctx) {
      const s3 = await ctx.clients.get('s3');
      // The bucket is going: drop its policy first, so no statement (ours denies plain HTTP, which
      // emulators speak) stands between us and emptying it.
      try {
        await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
      } catch (error) {
        if (isNotFound(error) || errorName(error) === 'NoSuchBucket') return 'absent';
        throw error;
      }
      // A writer that was still running can add an object between emptying and deleting: empty again.
      for (let attempt = 1; ; attempt++) {
        try {
          await emptyBucket(s3, Bucket);
          await s3.send(new DeleteBucketCommand({ Bucket }));
          break;
        } catch (error) {
          if (isNotFound(error) || errorName(error) === 'NoSuchBucket') break;
          if (errorName(error) !== 'BucketNotEmpty' || attempt >= 5) throw error;
        }
      }
      // Deleting a bucket is eventually consistent: HeadBucket can still find it for a while.
      await waitFor(ctx, s3, waitUntilBucketNotExists, { Bucket });
      return 'deleted';
    },
  };
}

function isForbidden(error: unknown): boolean {
  return (
    errorName(error) === 'Forbidden' ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403
  );
}

/**
 * CreateBucket, retrying 409 OperationAborted: S3 refuses a just-deleted name for a while (a
 * cleanup followed by setup). The backoff is long because the wait is minutes, not seconds.
 */
async function createBucket(ctx: ResourceContext, s3: S3Client, Bucket: string): Promise<void> {
  const { timing } = ctx;
  const create = () =>
    s3.send(
      new CreateBucketCommand({
        Bucket,
        ...(ctx.region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: ctx.region as never } }),
      }),
    );
  try {
    await retry(create, {
      attempts: Number.POSITIVE_INFINITY,
      backoff: { baseMs: timing.bucketConflictDelayMs, capMs: timing.bucketConflictDelayMs * 4, jitter: false },
      budgetMs: timing.bucketConflictBudgetMs,
      retryable: (error) => errorName(error) === 'OperationAborted',
      sleep: timing.sleep,
    });
  } catch (error) {
    const name = errorName(error);
    if (name === 'BucketAlreadyOwnedByYou') return;
    if (name === 'BucketAlreadyExists') {
      throw new StockpipeError(
        `the bucket name ${Bucket} is taken by another AWS account (bucket names are global): choose another --name`,
      );
    }
    if (name !== 'OperationAborted') throw error;
    throw new StockpipeError(
      `S3 is still releasing the bucket name ${Bucket} (deleted moments ago: 409 OperationAborted): wait a few minutes and run setup again`,
    );
  }
}

/** Deletes every object version and delete marker, 1000 at a time. */
export async function emptyBucket(s3: S3Client, Bucket: string): Promise<number> {
  let deleted = 0;
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket, KeyMarker, VersionIdMarker }));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((entry) => entry.Key !== undefined)
      .map((entry) => ({ Key: entry.Key as string, ...(entry.VersionId ? { VersionId: entry.VersionId } : {}) }));
    if (objects.length > 0) {
      const result = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: objects, Quiet: true } }));
      const failure = result.Errors?.[0];
      if (failure) throw new StockpipeError(`could not delete s3://${Bucket}/${failure.Key}: ${failure.Message}`);
      deleted += objects.length;
    }
    if (!page.IsTruncated) return deleted;
    KeyMarker = page.NextKeyMarker;
    VersionIdMarker = page.NextVersionIdMarker;
  }
}
