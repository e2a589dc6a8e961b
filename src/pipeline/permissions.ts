/**
 * The IAM actions stockpipe's own AWS calls need, in one table: per resource kind of the graph
 * (what its describe, ensure and destroy call) and per command on the AWS target. The policies
 * `stockpipe policy` prints (./iam-policy.ts) and the list in docs/aws.md are derived from it, and
 * the conformance suite records every call the commands send and checks them against it
 * (test/conformance/deployer-policy.test.ts).
 *
 * A new AWS call is one line here: `[action, scope]` in the phase or command that makes it. Some
 * actions are sent by no call of ours but checked by AWS on one (iam:PassRole when a function is
 * given its role, TagResource when a resource is created with tags, the Glue and S3 reads Athena
 * makes with the querying person's rights): they stand next to the call that needs them.
 */

import type { NodeId } from './node-ids.ts';

/** An IAM action: `service:Operation`. */
export type IamAction =
  `${'athena' | 'cloudwatch' | 'dynamodb' | 'glue' | 'iam' | 'kinesis' | 'lambda' | 'logs' | 's3' | 'sns' | 'sts'}:${string}`;

/**
 * The resources of the pipeline an action is granted on (./iam-policy.ts turns them into ARNs).
 * `any`: the action names no resource IAM can scope it to.
 */
export type Scope =
  | 'stream'
  | 'buckets'
  | 'bucket-objects'
  | 'raw-bucket'
  | 'raw-objects'
  | 'lake-objects'
  | 'compacted-objects'
  | 'compacted-tables'
  | 'kept-objects'
  | 'redriven-objects'
  | 'redrive-claims'
  | 'results-bucket'
  | 'results-objects'
  | 'tables'
  | 'quotes-table'
  | 'alerts-table'
  | 'roles'
  | 'roles-passed-to-lambda'
  | 'functions'
  | 'event-source-mappings'
  | 'log-groups'
  | 'every-log-group'
  | 'topics'
  | 'alerts-topic'
  | 'glue-database'
  | 'athena-catalog-reads'
  | 'workgroups'
  | 'workgroup'
  | 'alarms'
  | 'no-data-alarm'
  | 'any';

export type Permission = readonly [action: IamAction, scope: Scope];

export interface ResourceKindActions {
  /** What describe always calls (setup, status, cleanup). */
  describe: readonly Permission[];
  /** What describe calls only to compare with the spec, in setup (the settings status and cleanup do not read). */
  compare?: readonly Permission[];
  ensure: readonly Permission[];
  destroy: readonly Permission[];
}

/** The resource kinds of the AWS graph (src/pipeline/resources/*.ts). */
export type ResourceKind =
  | 'stream'
  | 'bucket'
  | 'table'
  | 'topic'
  | 'subscriptions'
  | 'log-group'
  | 'role'
  | 'function'
  | 'mapping'
  | 'glue-database'
  | 'glue-table'
  | 'workgroup'
  | 'alarm';

export const RESOURCE_ACTIONS: Record<ResourceKind, ResourceKindActions> = {
  // No KMS actions: the AWS-managed key (aws/kinesis) needs no permission of its user.
  stream: {
    describe: [['kinesis:DescribeStreamSummary', 'stream']],
    compare: [['kinesis:ListTagsForStream', 'stream']],
    ensure: [
      ['kinesis:CreateStream', 'stream'],
      // The SDK's stream waiters poll DescribeStream.
      ['kinesis:DescribeStream', 'stream'],
      ['kinesis:DescribeStreamSummary', 'stream'],
      ['kinesis:AddTagsToStream', 'stream'],
      ['kinesis:StartStreamEncryption', 'stream'],
      ['kinesis:UpdateStreamMode', 'stream'],
    ],
    destroy: [
      ['kinesis:DeleteStream', 'stream'],
      ['kinesis:DescribeStream', 'stream'],
    ],
  },
  bucket: {
    // HeadBucket
    describe: [['s3:ListBucket', 'buckets']],
    compare: [
      ['s3:GetBucketTagging', 'buckets'],
      ['s3:GetBucketPublicAccessBlock', 'buckets'],
      ['s3:GetEncryptionConfiguration', 'buckets'],
      ['s3:GetBucketPolicy', 'buckets'],
      ['s3:GetLifecycleConfiguration', 'results-bucket'],
    ],
    ensure: [
      ['s3:CreateBucket', 'buckets'],
      ['s3:GetBucketTagging', 'buckets'],
      ['s3:PutBucketTagging', 'buckets'],
      ['s3:PutBucketPublicAccessBlock', 'buckets'],
      ['s3:PutEncryptionConfiguration', 'buckets'],
      ['s3:PutBucketPolicy', 'buckets'],
      ['s3:PutLifecycleConfiguration', 'results-bucket'],
    ],
    destroy: [
      ['s3:DeleteBucketPolicy', 'buckets'],
      // ListObjectVersions, then DeleteObjects of every version and delete marker.
      ['s3:ListBucketVersions', 'buckets'],
      ['s3:DeleteObject', 'bucket-objects'],
      ['s3:DeleteObjectVersion', 'bucket-objects'],
      ['s3:DeleteBucket', 'buckets'],
      // The SDK's bucket-not-exists waiter: HeadBucket.
      ['s3:ListBucket', 'buckets'],
    ],
  },
  table: {
    describe: [
      ['dynamodb:DescribeTable', 'tables'],
      ['dynamodb:DescribeTimeToLive', 'tables'],
    ],
    ensure: [
      ['dynamodb:CreateTable', 'tables'],
      // CreateTable with Tags.
      ['dynamodb:TagResource', 'tables'],
      ['dynamodb:DescribeTable', 'tables'],
      ['dynamodb:UpdateTable', 'tables'],
      ['dynamodb:UpdateTimeToLive', 'tables'],
    ],
    destroy: [
      ['dynamodb:DeleteTable', 'tables'],
      ['dynamodb:DescribeTable', 'tables'],
    ],
  },
  topic: {
    describe: [['sns:GetTopicAttributes', 'topics']],
    ensure: [
      ['sns:CreateTopic', 'alerts-topic'],
      // CreateTopic with Tags.
      ['sns:TagResource', 'alerts-topic'],
    ],
    destroy: [
      ['sns:GetTopicAttributes', 'topics'],
      ['sns:DeleteTopic', 'topics'],
    ],
  },
  subscriptions: {
    describe: [['sns:ListSubscriptionsByTopic', 'alerts-topic']],
    ensure: [['sns:Subscribe', 'alerts-topic']],
    destroy: [
      ['sns:ListSubscriptionsByTopic', 'alerts-topic'],
      ['sns:Unsubscribe', 'alerts-topic'],
    ],
  },
  'log-group': {
    describe: [['logs:DescribeLogGroups', 'every-log-group']],
    ensure: [
      ['logs:CreateLogGroup', 'log-groups'],
      // CreateLogGroup with tags.
      ['logs:TagResource', 'log-groups'],
      ['logs:PutRetentionPolicy', 'log-groups'],
    ],
    destroy: [['logs:DeleteLogGroup', 'log-groups']],
  },
  role: {
    describe: [
      ['iam:GetRole', 'roles'],
      ['iam:ListRolePolicies', 'roles'],
      ['iam:GetRolePolicy', 'roles'],
      ['iam:ListAttachedRolePolicies', 'roles'],
    ],
    ensure: [
      ['iam:CreateRole', 'roles'],
      // CreateRole with Tags.
      ['iam:TagRole', 'roles'],
      ['iam:GetRole', 'roles'],
      ['iam:UpdateAssumeRolePolicy', 'roles'],
      ['iam:PutRolePolicy', 'roles'],
      ['iam:DeleteRolePolicy', 'roles'],
      ['iam:DetachRolePolicy', 'roles'],
    ],
    destroy: [
      ['iam:ListRolePolicies', 'roles'],
      ['iam:DeleteRolePolicy', 'roles'],
      ['iam:ListAttachedRolePolicies', 'roles'],
      ['iam:DetachRolePolicy', 'roles'],
      ['iam:DeleteRole', 'roles'],
    ],
  },
  function: {
    describe: [['lambda:GetFunction', 'functions']],
    ensure: [
      ['lambda:CreateFunction', 'functions'],
      // CreateFunction with Tags.
      ['lambda:TagResource', 'functions'],
      // Giving a function its role (CreateFunction, UpdateFunctionConfiguration).
      ['iam:PassRole', 'roles-passed-to-lambda'],
      // The SDK's function waiters poll GetFunction.
      ['lambda:GetFunction', 'functions'],
      ['lambda:UpdateFunctionCode', 'functions'],
      ['lambda:UpdateFunctionConfiguration', 'functions'],
    ],
    destroy: [['lambda:DeleteFunction', 'functions']],
  },
  mapping: {
    describe: [
      ['lambda:ListEventSourceMappings', 'any'],
      // The trends mapping's source: the quotes table's LatestStreamArn.
      ['dynamodb:DescribeTable', 'quotes-table'],
    ],
    ensure: [
      ['lambda:CreateEventSourceMapping', 'event-source-mappings'],
      ['lambda:GetEventSourceMapping', 'event-source-mappings'],
      ['lambda:UpdateEventSourceMapping', 'event-source-mappings'],
      // A stale mapping (left on an older source) is replaced.
      ['lambda:DeleteEventSourceMapping', 'event-source-mappings'],
    ],
    destroy: [
      ['lambda:ListEventSourceMappings', 'any'],
      ['lambda:DeleteEventSourceMapping', 'event-source-mappings'],
      ['lambda:GetEventSourceMapping', 'event-source-mappings'],
    ],
  },
  'glue-database': {
    describe: [['glue:GetDatabase', 'glue-database']],
    ensure: [
      ['glue:CreateDatabase', 'glue-database'],
      // CreateDatabase with Tags.
      ['glue:TagResource', 'glue-database'],
    ],
    destroy: [['glue:DeleteDatabase', 'glue-database']],
  },
  'glue-table': {
    describe: [['glue:GetTable', 'glue-database']],
    // The raw tables' partition projection starts at the oldest stored partition (src/pipeline/lake-range.ts).
    compare: [['s3:ListBucket', 'raw-bucket']],
    ensure: [
      ['s3:ListBucket', 'raw-bucket'],
      ['glue:CreateTable', 'glue-database'],
      ['glue:UpdateTable', 'glue-database'],
      // A stock_data_table left as a table by an earlier version is replaced by the view.
      ['glue:DeleteTable', 'glue-database'],
    ],
    destroy: [['glue:DeleteTable', 'glue-database']],
  },
  workgroup: {
    describe: [
      ['athena:GetWorkGroup', 'workgroups'],
      // Whether a workgroup under the legacy name is this pipeline's (status and cleanup).
      ['athena:ListTagsForResource', 'workgroups'],
    ],
    ensure: [
      ['athena:CreateWorkGroup', 'workgroup'],
      // CreateWorkGroup with Tags.
      ['athena:TagResource', 'workgroup'],
      ['athena:UpdateWorkGroup', 'workgroup'],
    ],
    destroy: [
      ['athena:GetWorkGroup', 'workgroups'],
      ['athena:ListTagsForResource', 'workgroups'],
      ['athena:DeleteWorkGroup', 'workgroups'],
    ],
  },
  alarm: {
    describe: [['cloudwatch:DescribeAlarms', 'alarms']],
    ensure: [
      ['cloudwatch:DescribeAlarms', 'alarms'],
      ['cloudwatch:PutMetricAlarm', 'alarms'],
      // PutMetricAlarm with Tags.
      ['cloudwatch:TagResource', 'alarms'],
    ],
    destroy: [
      ['cloudwatch:DescribeAlarms', 'alarms'],
      ['cloudwatch:DeleteAlarms', 'alarms'],
    ],
  },
};

/** The commands that call AWS on the AWS target (the others run offline only). */
export type AwsCommand =
  | 'setup'
  | 'cleanup'
  | 'status'
  | 'stream'
  | 'query'
  | 'tail'
  | 'alerts'
  | 'watch'
  | 'redrive'
  | 'compact';

const phase = (name: keyof ResourceKindActions): Permission[] =>
  Object.values(RESOURCE_ACTIONS).flatMap((kind) => kind[name] ?? []);

/**
 * Athena runs a query with the rights of whoever starts it: it reads the Glue catalog (the view,
 * the raw tables under it, and the `default` database Athena always looks up) and the raw
 * objects, and writes and reads the results in the results bucket. None of these is a call of ours.
 */
const ATHENA_ON_YOUR_BEHALF: readonly Permission[] = [
  ['glue:GetDatabase', 'athena-catalog-reads'],
  ['glue:GetTable', 'athena-catalog-reads'],
  // The compacted tables' partitions are registered in Glue (no projection): Athena lists them.
  ['glue:GetPartitions', 'athena-catalog-reads'],
  ['s3:GetBucketLocation', 'raw-bucket'],
  ['s3:ListBucket', 'raw-bucket'],
  ['s3:GetObject', 'raw-objects'],
  ['s3:GetBucketLocation', 'results-bucket'],
  ['s3:ListBucket', 'results-bucket'],
  ['s3:ListBucketMultipartUploads', 'results-bucket'],
  ['s3:GetObject', 'results-objects'],
  ['s3:PutObject', 'results-objects'],
  ['s3:ListMultipartUploadParts', 'results-objects'],
  ['s3:AbortMultipartUpload', 'results-objects'],
];

export const COMMAND_ACTIONS: Record<AwsCommand, readonly Permission[]> = {
  setup: [
    ...phase('describe'),
    ...phase('compare'),
    ...phase('ensure'),
    // The settings a pipeline was set up with (src/pipeline/deployed.ts).
    ['lambda:GetFunctionConfiguration', 'functions'],
    // Whether to ask for an e-mail address.
    ['sns:ListSubscriptionsByTopic', 'alerts-topic'],
  ],
  cleanup: [...phase('describe'), ...phase('destroy')],
  status: [
    ...phase('describe'),
    // Records in, ingest outcomes, strategy errors and backlog: the stream's and the functions' metrics.
    ['cloudwatch:GetMetricStatistics', 'any'],
    // The strategy the trends function runs (its environment, src/pipeline/deployed.ts).
    ['lambda:GetFunctionConfiguration', 'functions'],
    // The last alert.
    ['dynamodb:Scan', 'alerts-table'],
    // Failed and quarantined records kept in the raw bucket.
    ['s3:ListBucket', 'raw-bucket'],
    ['s3:GetObject', 'kept-objects'],
  ],
  stream: [
    ['kinesis:DescribeStreamSummary', 'stream'],
    ['kinesis:PutRecords', 'stream'],
    // The no-incoming-data alarm is armed while stream runs (src/producer/no-data-alarm.ts).
    ['cloudwatch:EnableAlarmActions', 'no-data-alarm'],
    ['cloudwatch:DisableAlarmActions', 'no-data-alarm'],
    // A replay older than the raw tables' projection widens them before it sends.
    ['glue:GetTable', 'glue-database'],
    ['glue:UpdateTable', 'glue-database'],
  ],
  query: [
    ['athena:StartQueryExecution', 'workgroup'],
    ['athena:GetQueryExecution', 'workgroup'],
    ['athena:GetQueryResults', 'workgroup'],
    // Ctrl+C stops the query, so it never runs (and bills) on.
    ['athena:StopQueryExecution', 'workgroup'],
    // Before it runs: the raw tables widened to the oldest stored partition (src/pipeline/lake-range.ts).
    ['glue:GetTable', 'glue-database'],
    ['glue:UpdateTable', 'glue-database'],
    ['s3:ListBucket', 'raw-bucket'],
    ...ATHENA_ON_YOUR_BEHALF,
  ],
  tail: [['logs:FilterLogEvents', 'log-groups']],
  alerts: [
    ['dynamodb:Query', 'alerts-table'],
    ['dynamodb:Scan', 'alerts-table'],
  ],
  watch: [
    ['dynamodb:Query', 'quotes-table'],
    ['dynamodb:Query', 'alerts-table'],
  ],
  compact: [
    // Before Athena reads: the raw tables widened to every stored partition. Required here, not
    // tried as by query: a partition outside the projection would read as empty and be deleted.
    ['glue:GetTable', 'glue-database'],
    ['glue:UpdateTable', 'glue-database'],
    ['s3:ListBucket', 'raw-bucket'],
    // One INSERT INTO per batch of periods; Ctrl+C stops it.
    ['athena:StartQueryExecution', 'workgroup'],
    ['athena:GetQueryExecution', 'workgroup'],
    ['athena:GetQueryResults', 'workgroup'],
    ['athena:StopQueryExecution', 'workgroup'],
    // The raw objects rewritten, and the older compacted ones (DeleteObjects).
    ['s3:DeleteObject', 'lake-objects'],
    ...ATHENA_ON_YOUR_BEHALF,
    // What INSERT INTO does with the caller's rights: write Parquet under compacted*/ and
    // register the partitions it wrote.
    ['s3:PutObject', 'compacted-objects'],
    ['s3:ListMultipartUploadParts', 'compacted-objects'],
    ['s3:AbortMultipartUpload', 'compacted-objects'],
    ['glue:BatchCreatePartition', 'compacted-tables'],
  ],
  redrive: [
    ['s3:ListBucket', 'raw-bucket'],
    ['s3:GetObject', 'kept-objects'],
    // Moved aside once redriven: copied under redriven/, then deleted.
    ['s3:PutObject', 'redriven-objects'],
    ['s3:DeleteObject', 'kept-objects'],
    // Each object is claimed first (a conditional put), its claim read when another run holds it,
    // overwritten as sent, and deleted once the object is moved.
    ['s3:PutObject', 'redrive-claims'],
    ['s3:GetObject', 'redrive-claims'],
    ['s3:DeleteObject', 'redrive-claims'],
    ['kinesis:PutRecords', 'stream'],
  ],
};

/**
 * Who needs which policy: `deploy` builds and removes the pipeline, `use` feeds and reads it,
 * `compact` rewrites its lake (deletes raw objects, writes Parquet through Athena): its own policy,
 * for whoever or whatever runs it on a schedule, and because either of the others with it would no
 * longer fit a managed policy (6,144 characters).
 */
export type PolicyKind = 'deploy' | 'use' | 'compact';

export const POLICY_COMMANDS: Record<PolicyKind, readonly AwsCommand[]> = {
  deploy: ['setup', 'cleanup', 'status'],
  use: ['stream', 'query', 'tail', 'alerts', 'watch', 'status', 'redrive'],
  compact: ['compact'],
};

/** Every permission the commands of one policy need, each once. */
export function permissionsOf(commands: readonly AwsCommand[]): Permission[] {
  const seen = new Map<string, Permission>();
  for (const command of commands) {
    for (const permission of COMMAND_ACTIONS[command]) seen.set(permission.join(' '), permission);
  }
  return [...seen.values()];
}

/** The kind of every node of the AWS graph: the compiler asks for a row when an id is added. */
const AWS_NODE_KINDS: Record<Exclude<NodeId, 'local-runner'>, ResourceKind> = {
  stream: 'stream',
  'raw-bucket': 'bucket',
  'results-bucket': 'bucket',
  'quotes-table': 'table',
  'alerts-table': 'table',
  'alerts-topic': 'topic',
  'alert-subscriptions': 'subscriptions',
  'ingest-log-group': 'log-group',
  'trends-log-group': 'log-group',
  'ingest-role': 'role',
  'trends-role': 'role',
  'ingest-function': 'function',
  'trends-function': 'function',
  'ingest-mapping': 'mapping',
  'trends-mapping': 'mapping',
  'glue-database': 'glue-database',
  'glue-table': 'glue-table',
  'glue-table-monthly': 'glue-table',
  'glue-table-compacted': 'glue-table',
  'glue-table-compacted-monthly': 'glue-table',
  'glue-view': 'glue-table',
  workgroup: 'workgroup',
  'alarm-no-incoming-data': 'alarm',
  'alarm-ingest-errors': 'alarm',
  'alarm-trends-errors': 'alarm',
  'alarm-iterator-age': 'alarm',
  'alarm-trends-iterator-age': 'alarm',
  'alarm-quotes-write-throttles': 'alarm',
  'alarm-quotes-read-throttles': 'alarm',
};

/** The kind of a node of the AWS graph (undefined for a node only another target has). */
export function resourceKindOf(nodeId: NodeId): ResourceKind | undefined {
  return nodeId === 'local-runner' ? undefined : AWS_NODE_KINDS[nodeId];
}
