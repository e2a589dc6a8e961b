/** ARNs built from deterministic names, so policies and environments need no lookups. */
import type { ResourceContext } from './types.ts';

type Where = Pick<ResourceContext, 'partition' | 'region' | 'account'>;

export const arns = {
  stream: (c: Where, name: string) => `arn:${c.partition}:kinesis:${c.region}:${c.account}:stream/${name}`,
  table: (c: Where, name: string) => `arn:${c.partition}:dynamodb:${c.region}:${c.account}:table/${name}`,
  topic: (c: Where, name: string) => `arn:${c.partition}:sns:${c.region}:${c.account}:${name}`,
  role: (c: Where, name: string) => `arn:${c.partition}:iam::${c.account}:role/${name}`,
  fn: (c: Where, name: string) => `arn:${c.partition}:lambda:${c.region}:${c.account}:function:${name}`,
  logGroup: (c: Where, name: string) => `arn:${c.partition}:logs:${c.region}:${c.account}:log-group:${name}`,
  bucket: (c: Where, name: string) => `arn:${c.partition}:s3:::${name}`,
  glueCatalog: (c: Where) => `arn:${c.partition}:glue:${c.region}:${c.account}:catalog`,
  glueDatabase: (c: Where, name: string) => `arn:${c.partition}:glue:${c.region}:${c.account}:database/${name}`,
  glueTable: (c: Where, db: string, name: string) =>
    `arn:${c.partition}:glue:${c.region}:${c.account}:table/${db}/${name}`,
  workgroup: (c: Where, name: string) => `arn:${c.partition}:athena:${c.region}:${c.account}:workgroup/${name}`,
  alarm: (c: Where, name: string) => `arn:${c.partition}:cloudwatch:${c.region}:${c.account}:alarm:${name}`,
};

/** The partition of a caller ARN: aws, aws-cn, aws-us-gov… */
export function partitionOf(arn: string | undefined): string {
  return arn?.split(':')[1] || 'aws';
}
