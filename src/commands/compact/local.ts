/** compact's deps on the local target: the raw bucket's folder in s3rver, and S3 calls to it. */
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../aws/clients.ts';
import { bucketNames } from '../../core/names.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../local/constants.ts';
import { localPaths } from '../../local/paths.ts';
import type { LakeWriter } from './run.ts';

export function localRawBucketDir(cwd: string, pipeline: string): string {
  return `${localPaths(cwd).s3Dir}/${bucketNames(pipeline, LOCAL_ACCOUNT, LOCAL_REGION).raw}`;
}

/** The lock one compaction of a pipeline's lake holds, beside the stack's own state. */
export function localCompactLock(cwd: string, pipeline: string): string {
  return `${localPaths(cwd).root}/compact-${pipeline}.lock`;
}

export async function localLakeWriter(aws: AwsClients, pipeline: string): Promise<LakeWriter> {
  const s3 = await aws.get('s3');
  const Bucket = bucketNames(pipeline, LOCAL_ACCOUNT, LOCAL_REGION).raw;
  return {
    async put(key, body) {
      await s3.send(
        new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: 'application/vnd.apache.parquet' }),
      );
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
        const result = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
        if (result.Errors?.length) {
          throw new Error(`could not delete ${result.Errors.length} compacted objects: ${result.Errors[0]?.Message}`);
        }
      }
    },
  };
}
