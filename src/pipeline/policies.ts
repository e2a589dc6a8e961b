/**
 * The two functions' IAM policies: every action named, every resource an exact ARN of this
 * pipeline (the DynamoDB stream id is only known after the table exists, hence `stream/*` under
 * the table) — except dynamodb:ListStreams, which IAM grants on "*" only. Logs only for the function's own log group. Both roles also carry what their
 * mapping's on-failure destination needs (onFailureStatements).
 */
import { FAILED_PREFIX } from '../core/failed-records.ts';
import { RAW_BY_DATE, RAW_BY_MONTH } from '../core/lake.ts';
import { arns } from './arns.ts';
import type { ResourceContext } from './types.ts';

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow' | 'Deny'; Action: string[]; Resource: string[] }[];
}

export const LAMBDA_TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

export const INLINE_POLICY_NAME = 'stockpipe';

/**
 * Statements the handler code never exercises: Lambda itself uses the function's role for them.
 * The runtime ships the function's logs, the event source mapping's poller reads the stream, and
 * the mapping sends the records it gave up on to the on-failure destination. Everything else in a
 * policy is there for a call the handler makes — the least-privilege test holds both to that
 * (every handler call allowed, every other statement's action used). An on-failure destination
 * of another kind (S3, SQS) keeps the Sid `OnFailureDestination`.
 */
export const SERVICE_SIDE_STATEMENTS: ReadonlySet<string> = new Set([
  'OwnLogGroup',
  'ReadStream',
  'ReadQuotesStream',
  'ListStreams',
  'OnFailureDestination',
  'OnFailureDestinationList',
]);

function logStatement(ctx: ResourceContext, logGroup: string) {
  const group = arns.logGroup(ctx, logGroup);
  return {
    Sid: 'OwnLogGroup',
    Effect: 'Allow' as const,
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: [group, `${group}:*`],
  };
}

/**
 * Both mappings' on-failure destination is the raw bucket. Lambda writes the invocation record
 * with the function's role, which needs what the Lambda docs list for an S3 destination:
 * s3:PutObject and s3:ListBucket. PutObject is limited to the key prefix Lambda writes under
 * (`aws/lambda/<ESM-UUID>/…`, fixed by Lambda); ListBucket is a bucket-level action. The bucket
 * uses SSE-S3, so no KMS permission is needed.
 */
function onFailureStatements(ctx: ResourceContext) {
  const raw = arns.bucket(ctx, ctx.buckets.raw);
  return [
    {
      Sid: 'OnFailureDestination',
      Effect: 'Allow' as const,
      Action: ['s3:PutObject'],
      Resource: [`${raw}/${FAILED_PREFIX}*`],
    },
    {
      Sid: 'OnFailureDestinationList',
      Effect: 'Allow' as const,
      Action: ['s3:ListBucket'],
      Resource: [raw],
    },
  ];
}

export function ingestPolicy(ctx: ResourceContext): PolicyDocument {
  const { names, buckets } = ctx;
  const raw = arns.bucket(ctx, buckets.raw);
  return {
    Version: '2012-10-17',
    Statement: [
      logStatement(ctx, names.ingestLogGroup),
      {
        Sid: 'ReadStream',
        Effect: 'Allow',
        Action: [
          'kinesis:DescribeStream',
          'kinesis:DescribeStreamSummary',
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:ListShards',
        ],
        Resource: [arns.stream(ctx, names.stream)],
      },
      {
        Sid: 'WriteLake',
        Effect: 'Allow',
        Action: ['s3:PutObject'],
        Resource: [`${raw}/${RAW_BY_DATE.prefix}/*`, `${raw}/${RAW_BY_MONTH.prefix}/*`, `${raw}/quarantine/*`],
      },
      {
        // BatchWriteItem, 25 at a time; PutItem item by item when DynamoDB refuses a whole batch,
        // so only the refused item is quarantined (lambdas/ingest/quotes.ts).
        Sid: 'WriteQuotes',
        Effect: 'Allow',
        Action: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
        Resource: [arns.table(ctx, names.quotesTable)],
      },
      ...onFailureStatements(ctx),
    ],
  };
}

export function trendsPolicy(ctx: ResourceContext): PolicyDocument {
  const { names } = ctx;
  const quotes = arns.table(ctx, names.quotesTable);
  return {
    Version: '2012-10-17',
    Statement: [
      logStatement(ctx, names.trendsLogGroup),
      {
        Sid: 'ReadQuotesStream',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Resource: [`${quotes}/stream/*`],
      },
      {
        // Lambda checks the role may ListStreams when it creates the mapping ("Cannot access
        // stream … ListStreams"). ListStreams names no stream or table, so only "*" grants it;
        // it reveals stream ARNs, never their records.
        Sid: 'ListStreams',
        Effect: 'Allow',
        Action: ['dynamodb:ListStreams'],
        Resource: ['*'],
      },
      {
        Sid: 'ReadQuoteHistory',
        Effect: 'Allow',
        Action: ['dynamodb:Query'],
        Resource: [quotes],
      },
      {
        // Query: the cooldown reads recent alerts; PutItem: a conditional put records each one.
        Sid: 'RecordAlerts',
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:Query'],
        Resource: [arns.table(ctx, names.alertsTable)],
      },
      {
        Sid: 'PublishAlerts',
        Effect: 'Allow',
        Action: ['sns:Publish'],
        Resource: [arns.topic(ctx, names.alertsTopic)],
      },
      ...onFailureStatements(ctx),
    ],
  };
}
