/**
 * compact on AWS: the lake is the raw bucket, listed and deleted with S3 calls; Athena rewrites a
 * batch with one INSERT INTO the compacted table (src/query/compaction.ts), in the pipeline's
 * workgroup, stopped (StopQueryExecution) on Ctrl+C.
 */
import { DeleteObjectsCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { COMPACTED_FOLDERS } from '../../core/lake.ts';
import type { PipelineNames } from '../../core/names.ts';
import { StockpipeError } from '../../errors.ts';
import { athenaCompactionSql, type LakeObject } from '../../query/compaction.ts';
import type { QueryRunner } from '../../query/runner.ts';
import type { CompactionLake } from './run.ts';

export interface AwsLakeOptions {
  s3: S3Client;
  bucket: string;
  names: PipelineNames;
  runner: QueryRunner;
}

/** The Glue tables of a compacted folder's batch: its raw twin and itself. */
function tablesOf(partition: string, names: PipelineNames) {
  return partition === 'dt'
    ? { raw: names.glueRawTable, compacted: names.glueCompactedTable }
    : { raw: names.glueRawMonthlyTable, compacted: names.glueCompactedMonthlyTable };
}

export function awsCompactionLake(options: AwsLakeOptions): CompactionLake {
  const { s3, bucket, names, runner } = options;
  return {
    engine: 'Athena',
    async list(onListed) {
      const objects: LakeObject[] = [];
      const prefixes = COMPACTED_FOLDERS.flatMap((folder) => [`${folder.raw.prefix}/`, `${folder.prefix}/`]);
      for (const Prefix of prefixes) {
        for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix })) {
          for (const object of page.Contents ?? []) {
            if (object.Key) objects.push({ key: object.Key, size: object.Size ?? 0 });
          }
          onListed(objects.length);
        }
      }
      return objects;
    },
    async rewrite(batch, signal, onProgress) {
      const result = await runner.run(athenaCompactionSql(batch, tablesOf(batch.folder.partition, names)), {
        signal,
        onProgress,
      });
      return result.stats.bytesScanned;
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
        if (Objects.length === 0) continue;
        const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects, Quiet: true } }));
        if (result.Errors?.length) {
          const [first] = result.Errors;
          throw new StockpipeError(
            `S3 did not delete ${result.Errors.length} rewritten objects (${first?.Key}: ${first?.Code}); every observation still counts once, run \`stockpipe compact\` again`,
          );
        }
      }
    },
  };
}
