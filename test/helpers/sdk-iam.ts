/**
 * What IAM checks for each AWS call stockpipe sends: one mapping from an SDK operation and its
 * input to the IAM actions and resource ARNs it needs, and middleware that records every call a
 * client sends (waiters, paginators and lib-dynamodb included) with whether AWS denied it.
 *
 * Most operations need the action of their own name on the resource their input names. The
 * exceptions are spelt out below: S3 (whose actions are not named like its operations), the
 * actions AWS checks on a call without a call of their own (TagResource on create-with-tags,
 * iam:PassRole, Athena's reads and writes for the querying person), and how moto names some
 * actions (its `monitoring:` for CloudWatch, its S3 names), for the moto run with IAM on.
 */
import type { ServiceName } from '../../src/aws/clients.ts';
import { bucketNames, pipelineNames } from '../../src/core/names.ts';
import { isAccessDenied } from '../../src/pipeline/aws-helpers.ts';
import type { PolicyPlace } from '../../src/pipeline/iam-policy.ts';

export interface SentCall {
  /** Who sent it (the command being run). */
  caller: string;
  service: ServiceName;
  /** The SDK operation: DescribeStreamSummary, PutItem… */
  operation: string;
  input: Record<string, unknown>;
  /** AWS refused it for want of a permission. */
  denied: boolean;
}

export interface Requirement {
  action: string;
  resources: string[];
}

interface Middlewared {
  middlewareStack: {
    add(middleware: unknown, options: { step: 'serialize'; name: string; override?: boolean }): void;
  };
}

/** Records every call a client sends (after lib-dynamodb marshalling), attributed to `caller()`. */
export function recordCalls(calls: SentCall[], caller: () => string) {
  return (service: ServiceName, client: unknown) => {
    (client as Middlewared).middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          const call: SentCall = {
            caller: caller(),
            service,
            operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
            input: args.input,
            denied: false,
          };
          calls.push(call);
          try {
            const result = (await next(args)) as { output?: { Errors?: { Code?: string }[] } };
            // DeleteObjects answers 200 and reports a refused key in its Errors.
            call.denied = result.output?.Errors?.some((error) => error.Code === 'AccessDenied') ?? false;
            return result;
          } catch (error) {
            call.denied = isAccessDenied(error);
            throw error;
          }
        },
      { step: 'serialize', name: 'recordIamCalls', override: true },
    );
  };
}

/** The IAM action prefix of each client. */
const PREFIX: Record<ServiceName, string> = {
  athena: 'athena',
  cloudwatch: 'cloudwatch',
  logs: 'logs',
  dynamodb: 'dynamodb',
  glue: 'glue',
  iam: 'iam',
  kinesis: 'kinesis',
  lambda: 'lambda',
  s3: 's3',
  sns: 'sns',
  sts: 'sts',
};

/** S3 operations whose IAM action is named otherwise. */
const S3_ACTIONS: Record<string, string> = {
  HeadBucket: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
  PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  GetBucketLifecycleConfiguration: 's3:GetLifecycleConfiguration',
  PutBucketLifecycleConfiguration: 's3:PutLifecycleConfiguration',
  DeleteObjects: 's3:DeleteObject',
};

/** The action moto checks for a call, where it is not the IAM action (moto 5.2: the signing name, its own S3 names). */
const MOTO_ACTIONS: Record<string, string> = {
  's3:HeadBucket': 's3:HeadBucket',
  's3:GetBucketEncryption': 's3:ListBucket',
  's3:PutBucketEncryption': 's3:CreateBucket',
  // moto maps ?publicAccessBlock to no action of its own: its defaults for the method.
  's3:GetPublicAccessBlock': 's3:ListBucket',
  's3:PutPublicAccessBlock': 's3:CreateBucket',
};

/** The action moto 5.2 checks for an SDK operation (its name for it, not always IAM's). */
export function motoActionOf(service: ServiceName, operation: string): string {
  if (service === 'cloudwatch') return `monitoring:${operation}`;
  const own = MOTO_ACTIONS[`${service}:${operation}`];
  if (own) return own;
  if (service === 's3') return S3_ACTIONS[operation] ?? `s3:${operation}`;
  return `${PREFIX[service]}:${operation}`;
}

/** The IAM action named like an operation (the one a policy must grant for the call itself). */
export function iamActionOf(service: ServiceName, operation: string): string {
  if (service === 's3') return S3_ACTIONS[operation] ?? `s3:${operation}`;
  return `${PREFIX[service]}:${operation}`;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** What IAM checks for one call: the actions and the ARNs each applies to. */
export function requirementsOf(
  call: Pick<SentCall, 'service' | 'operation' | 'input'>,
  place: PolicyPlace,
): Requirement[] {
  const { service, operation, input } = call;
  const { partition, region, account } = place;
  const arn = (svc: string, resource: string) => `arn:${partition}:${svc}:${region}:${account}:${resource}`;
  const names = pipelineNames(place.name);
  if (service === 'sts' && operation === 'GetCallerIdentity') return []; // needs no permission
  const own = (resources: string[]): Requirement => ({ action: iamActionOf(service, operation), resources });
  const extra: Requirement[] = [];
  const tagged = (resources: string[]) => {
    const tags = input.Tags ?? input.tags;
    if (tags && (Array.isArray(tags) ? tags.length > 0 : Object.keys(tags as object).length > 0)) {
      extra.push({ action: service === 'iam' ? 'iam:TagRole' : `${PREFIX[service]}:TagResource`, resources });
    }
  };
  let resources: string[];
  switch (service) {
    case 'kinesis': {
      const stream = str(input.StreamARN) ?? arn('kinesis', `stream/${str(input.StreamName)}`);
      resources = [stream];
      break;
    }
    case 'dynamodb': {
      const tables = input.TableName ? [str(input.TableName)] : Object.keys((input.RequestItems as object) ?? {});
      resources = tables.length > 0 ? tables.map((table) => arn('dynamodb', `table/${table}`)) : ['*'];
      tagged(resources);
      break;
    }
    case 's3': {
      const bucket = `arn:${partition}:s3:::${str(input.Bucket)}`;
      if (operation === 'DeleteObjects') {
        const objects = ((input.Delete as { Objects?: { Key?: string; VersionId?: string }[] })?.Objects ?? []).map(
          (object) => ({ arn: `${bucket}/${object.Key}`, version: object.VersionId !== undefined }),
        );
        const versions = objects.filter((object) => object.version).map((object) => object.arn);
        if (versions.length > 0) extra.push({ action: 's3:DeleteObjectVersion', resources: versions });
        resources = objects.map((object) => object.arn);
      } else {
        resources = [input.Key !== undefined ? `${bucket}/${str(input.Key)}` : bucket];
      }
      break;
    }
    case 'iam':
      resources = [`arn:${partition}:iam::${account}:role/${str(input.RoleName)}`];
      tagged(resources);
      break;
    case 'lambda': {
      const fn = str(input.FunctionName);
      if (/EventSourceMapping/.test(operation)) {
        // Mappings are named by Lambda's UUIDs: the policy grants them on "*" by function.
        resources = ['*'];
      } else {
        resources = [fn?.startsWith('arn:') ? fn : arn('lambda', `function:${fn}`)];
        tagged(resources);
        const role = str(input.Role);
        if (role) extra.push({ action: 'iam:PassRole', resources: [role] });
      }
      break;
    }
    case 'logs': {
      const group = str(input.logGroupName);
      resources = [
        operation === 'DescribeLogGroups' || !group ? arn('logs', 'log-group:*') : arn('logs', `log-group:${group}`),
      ];
      tagged(resources);
      break;
    }
    case 'sns': {
      const topic =
        str(input.TopicArn) ??
        (input.Name ? arn('sns', str(input.Name) as string) : undefined) ??
        str(input.SubscriptionArn)?.split(':').slice(0, -1).join(':');
      resources = [topic ?? '*'];
      tagged(resources);
      break;
    }
    case 'glue': {
      const catalog = arn('glue', 'catalog');
      const database =
        str(input.DatabaseName) ?? str(input.Name) ?? str((input.DatabaseInput as { Name?: string })?.Name);
      const table =
        str((input.TableInput as { Name?: string })?.Name) ?? (input.DatabaseName ? str(input.Name) : undefined);
      resources = [
        catalog,
        arn('glue', `database/${database}`),
        ...(table ? [arn('glue', `table/${database}/${table}`)] : []),
      ];
      if (operation === 'CreateDatabase') tagged([arn('glue', `database/${database}`)]);
      break;
    }
    case 'athena': {
      const workgroup = str(input.WorkGroup) ?? str(input.Name) ?? names.workgroup;
      resources = [str(input.ResourceARN) ?? arn('athena', `workgroup/${workgroup}`)];
      tagged(resources);
      if (operation === 'StartQueryExecution') {
        extra.push(...athenaOnYourBehalf(place));
        if (/^\s*INSERT INTO/i.test(str(input.QueryString) ?? '')) extra.push(...athenaInsertOnYourBehalf(place));
      }
      break;
    }
    case 'cloudwatch': {
      const alarms = (input.AlarmNames as string[] | undefined) ?? (input.AlarmName ? [str(input.AlarmName)] : []);
      resources = alarms.length > 0 ? alarms.map((alarm) => arn('cloudwatch', `alarm:${alarm}`)) : ['*'];
      tagged(resources);
      break;
    }
    default:
      resources = ['*'];
  }
  return [own(resources), ...extra];
}

/**
 * What Athena does with the querying person's rights for a query over the view: read the Glue
 * catalog (the view, the raw tables under it, and the `default` database), list and read the raw
 * objects, write and read the results (Athena user guide: access to the Glue Data Catalog, and
 * the query results location).
 */
function athenaOnYourBehalf(place: PolicyPlace): Requirement[] {
  const { partition, region, account } = place;
  const names = pipelineNames(place.name);
  const buckets = bucketNames(place.name, account, region);
  const glue = (resource: string) => `arn:${partition}:glue:${region}:${account}:${resource}`;
  const catalog = [
    glue('catalog'),
    glue('database/default'),
    glue(`database/${names.glueDatabase}`),
    ...[
      names.glueTable,
      names.glueRawTable,
      names.glueRawMonthlyTable,
      names.glueCompactedTable,
      names.glueCompactedMonthlyTable,
    ].map((table) => glue(`table/${names.glueDatabase}/${table}`)),
  ];
  const raw = `arn:${partition}:s3:::${buckets.raw}`;
  const results = `arn:${partition}:s3:::${buckets.results}`;
  return [
    { action: 'glue:GetDatabase', resources: catalog.slice(0, 3) },
    { action: 'glue:GetTable', resources: catalog },
    // The compacted tables' partitions are in Glue (no projection).
    { action: 'glue:GetPartitions', resources: [...catalog.slice(0, 1), ...catalog.slice(2, 3), ...catalog.slice(-2)] },
    ...['s3:GetBucketLocation', 's3:ListBucket'].map((action) => ({ action, resources: [raw, results] })),
    { action: 's3:ListBucketMultipartUploads', resources: [results] },
    { action: 's3:GetObject', resources: [`${raw}/raw/dt=2026-01-01/x.json.gz`, `${results}/results/q.csv`] },
    ...['s3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'].map((action) => ({
      action,
      resources: [`${results}/results/q.csv`],
    })),
  ];
}

/**
 * What an `INSERT INTO` (compact) does besides: write Parquet objects under the compacted folders
 * and register the partitions it wrote (Athena user guide: INSERT INTO, and the Glue actions of
 * CTAS/INSERT queries).
 */
function athenaInsertOnYourBehalf(place: PolicyPlace): Requirement[] {
  const { partition, region, account } = place;
  const names = pipelineNames(place.name);
  const buckets = bucketNames(place.name, account, region);
  const glue = (resource: string) => `arn:${partition}:glue:${region}:${account}:${resource}`;
  const objects = [`arn:${partition}:s3:::${buckets.raw}/compacted/dt=2026-01-01/x.parquet`];
  return [
    ...['s3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'].map((action) => ({
      action,
      resources: objects,
    })),
    {
      action: 'glue:BatchCreatePartition',
      resources: [
        glue('catalog'),
        glue(`database/${names.glueDatabase}`),
        glue(`table/${names.glueDatabase}/${names.glueCompactedTable}`),
      ],
    },
  ];
}
