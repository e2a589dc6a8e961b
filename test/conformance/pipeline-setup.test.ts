import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  ListTagsForResourceCommand as AthenaListTags,
  CreateWorkGroupCommand,
  GetWorkGroupCommand,
} from '@aws-sdk/client-athena';
import {
  ListTagsForResourceCommand as CloudWatchListTags,
  DescribeAlarmsCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateTableCommand,
  DeleteTableCommand,
  GetTableCommand,
  type TableInput,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { DescribeStreamSummaryCommand, ListTagsForStreamCommand } from '@aws-sdk/client-kinesis';
import { GetFunctionCommand, ListEventSourceMappingsCommand, ListTagsCommand } from '@aws-sdk/client-lambda';
import {
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand as SnsListTags,
} from '@aws-sdk/client-sns';
import { runCleanup } from '../../src/commands/cleanup/run.ts';
import { parseSetupFlags, type SetupFlags } from '../../src/commands/setup/options.ts';
import { runSetup } from '../../src/commands/setup/run.ts';
import { runStatus } from '../../src/commands/status/run.ts';
import { ingestConfigFromEnv, trendsConfigFromEnv } from '../../src/core/handler-env.ts';
import { LAKE_COLUMNS } from '../../src/core/lake.ts';
import { bucketNames, LEGACY_PIPELINE_TAG_KEYS, PIPELINE_TAG_KEY, pipelineNames } from '../../src/core/names.ts';
import { decodePrestoView } from '../../src/pipeline/presto-view.ts';
import { glueTableInput, RAW_TABLES, type RawTable } from '../../src/pipeline/resources/glue.ts';
import { lakeViewDefinition } from '../../src/pipeline/resources/glue-view.ts';
import { BYTES_SCANNED_CUTOFF } from '../../src/pipeline/resources/workgroup.ts';
import type { CodeSource } from '../../src/pipeline/types.ts';
import { awsTargetPipeline } from '../../src/targets/aws.ts';
import { createCaptureIO } from '../../src/ui/io.ts';
import { runCli } from '../helpers/cli.ts';
import { MOTO_ACCOUNT, MOTO_REGION, type Moto, motoSkipReason, startMoto } from '../helpers/moto.ts';
import { countingClients, FAST_TIMING, fixtureCode, leftovers, quietIO } from './pipeline-fixtures.ts';

const arn = (service: string, resource: string) => `arn:aws:${service}:${MOTO_REGION}:${MOTO_ACCOUNT}:${resource}`;

describe('setup, status and cleanup against moto', { skip: motoSkipReason() }, () => {
  let moto: Moto;
  let code: CodeSource;
  let cwd: string;
  const opened: { destroy(): Promise<void> }[] = [];

  before(async () => {
    moto = await startMoto();
    code = await fixtureCode('v1');
  });
  after(async () => {
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    cwd = mkdtempSync(join(tmpdir(), 'stockpipe-conf-'));
  });
  afterEach(async () => {
    for (const clients of opened.splice(0)) await clients.destroy();
  });

  const setup = async (name: string, flags: SetupFlags = {}, source: CodeSource = code) => {
    const counting = countingClients(moto);
    opened.push(counting.clients);
    const capture = quietIO();
    const exit = await runSetup(parseSetupFlags(flags), {
      io: capture.io,
      name,
      clients: counting.clients,
      pipeline: await awsTargetPipeline(counting.clients),
      cwd,
      code: source,
      timing: FAST_TIMING,
    });
    return { exit, mutations: counting.mutations, stdout: capture.stdout(), stderr: capture.stderr() };
  };
  const cleanup = async (name: string, json = false) => {
    const counting = countingClients(moto);
    opened.push(counting.clients);
    const capture = quietIO({ json });
    const exit = await runCleanup(
      { dryRun: false },
      {
        io: capture.io,
        name,
        clients: counting.clients,
        pipeline: await awsTargetPipeline(counting.clients),
        cwd,
        timing: FAST_TIMING,
      },
    );
    return {
      exit,
      mutations: counting.mutations,
      serviceMutations: counting.serviceMutations,
      stdout: capture.stdout(),
    };
  };
  const reader = () => {
    const clients = moto.clients();
    opened.push(clients);
    return clients;
  };
  /** `status --json` of a pipeline on moto: its exit code and the resources it reports. */
  const statusJson = async (name: string) => {
    const capture = quietIO({ json: true });
    const clients = reader();
    const code = await runStatus({ io: capture.io, name, clients, pipeline: await awsTargetPipeline(clients), cwd });
    const { resources } = JSON.parse(capture.stdout()) as {
      resources: { id: string; presence: string; notes: string[] }[];
    };
    return { code, resources };
  };

  it('creates every resource as specified, verified through the SDK', async () => {
    const result = await setup('alpha', { email: ['ops@example.com'], alertLang: 'es', logRetention: '30' });
    assert.equal(result.exit, 0, result.stderr);
    const clients = reader();
    const names = pipelineNames('alpha');
    const buckets = bucketNames('alpha', MOTO_ACCOUNT, MOTO_REGION);

    const stream = await (await clients.get('kinesis')).send(
      new DescribeStreamSummaryCommand({ StreamName: names.stream }),
    );
    assert.equal(stream.StreamDescriptionSummary?.StreamModeDetails?.StreamMode, 'ON_DEMAND');
    assert.equal(stream.StreamDescriptionSummary?.EncryptionType, 'KMS');
    assert.equal(stream.StreamDescriptionSummary?.KeyId, 'alias/aws/kinesis');

    const s3 = await clients.get('s3');
    for (const bucket of [buckets.raw, buckets.results]) {
      const block = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
      assert.deepEqual(block.PublicAccessBlockConfiguration, {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      });
      const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
      assert.equal(
        encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
        'AES256',
      );
      const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '{}');
      const deny = policy.Statement.find((statement: { Effect: string }) => statement.Effect === 'Deny');
      assert.deepEqual(deny.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
      const tags = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
      assert.ok(tags.TagSet?.some((tag) => tag.Key === PIPELINE_TAG_KEY && tag.Value === 'alpha'));
    }
    const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: buckets.results }));
    assert.equal(lifecycle.Rules?.[0]?.Status, 'Enabled');
    assert.ok((lifecycle.Rules?.[0]?.Expiration?.Days ?? 0) > 0, 'query results expire');

    const dynamodb = await clients.get('dynamodb');
    const quotes = (await dynamodb.send(new DescribeTableCommand({ TableName: names.quotesTable }))).Table;
    assert.equal(quotes?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(quotes?.StreamSpecification, { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    assert.deepEqual(
      quotes?.KeySchema?.map((key) => `${key.AttributeName}:${key.KeyType}`),
      ['symbol:HASH', 'timestamp:RANGE'],
    );
    const alertsTable = (await dynamodb.send(new DescribeTableCommand({ TableName: names.alertsTable }))).Table;
    assert.deepEqual(
      alertsTable?.KeySchema?.map((key) => `${key.AttributeName}:${key.KeyType}`),
      ['symbol:HASH', 'alert_key:RANGE'],
    );
    for (const table of [names.quotesTable, names.alertsTable]) {
      const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: table }));
      assert.equal(ttl.TimeToLiveDescription?.TimeToLiveStatus, 'ENABLED');
      assert.equal(ttl.TimeToLiveDescription?.AttributeName, 'expires_at');
    }

    const iam = await clients.get('iam');
    for (const [role, fn] of [
      [names.ingestRole, names.ingestFunction],
      [names.trendsRole, names.trendsFunction],
    ] as const) {
      const trust = JSON.parse(
        decodeURIComponent(
          (await iam.send(new GetRoleCommand({ RoleName: role }))).Role?.AssumeRolePolicyDocument ?? '',
        ),
      );
      assert.equal(trust.Statement[0].Principal.Service, 'lambda.amazonaws.com');
      const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }));
      assert.deepEqual(attached.AttachedPolicies, [], 'no managed (FullAccess) policies');
      const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: role }));
      assert.equal(inline.PolicyNames?.length, 1);
      for (const policyName of inline.PolicyNames ?? []) {
        const raw = (await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: policyName })))
          .PolicyDocument;
        const document = JSON.parse(decodeURIComponent(raw ?? ''));
        assert.doesNotMatch(JSON.stringify(document), /FullAccess/);
        // The on-failure destination: what the Lambda docs require for S3, and nothing more.
        const onFailure = document.Statement.filter((statement: { Sid: string }) =>
          statement.Sid.startsWith('OnFailureDestination'),
        );
        assert.deepEqual(
          onFailure.map((statement: { Action: string[]; Resource: string[] }) => [
            [statement.Action].flat(),
            [statement.Resource].flat(),
          ]),
          [
            [['s3:PutObject'], [`arn:aws:s3:::${buckets.raw}/aws/lambda/*`]],
            [['s3:ListBucket'], [`arn:aws:s3:::${buckets.raw}`]],
          ],
          `${role}: the on-failure destination's permissions`,
        );
        assert.doesNotMatch(JSON.stringify(document), /failures/, `${role}: no SNS failures topic any more`);
        for (const statement of document.Statement) {
          const actions: string[] = [statement.Action].flat();
          const resources: string[] = [statement.Resource].flat();
          for (const action of actions) assert.doesNotMatch(action, /\*/, `${role}: action ${action} has no wildcard`);
          if (statement.Sid === 'ListStreams') {
            // The one action IAM grants on "*" only (it names no table): alone in its statement.
            assert.deepEqual([actions, resources], [['dynamodb:ListStreams'], ['*']]);
            continue;
          }
          for (const resource of resources) {
            assert.notEqual(resource, '*', `${role}: resources are exact ARNs`);
            assert.ok(resource.startsWith('arn:aws:'), resource);
            if (actions.some((action) => action.startsWith('logs:'))) {
              assert.ok(resource.includes(`log-group:/aws/lambda/${fn}`), `${role}: logs only for its own group`);
            } else {
              assert.match(resource, /alpha/, `${role}: ${resource} belongs to this pipeline`);
            }
          }
        }
      }
    }

    const lambda = await clients.get('lambda');
    const fixture = await code('ingest');
    const ingest = (await lambda.send(new GetFunctionCommand({ FunctionName: names.ingestFunction }))).Configuration;
    const trends = (await lambda.send(new GetFunctionCommand({ FunctionName: names.trendsFunction }))).Configuration;
    for (const config of [ingest, trends]) {
      assert.equal(config?.Runtime, 'nodejs22.x');
      assert.deepEqual(config?.Architectures, ['arm64']);
      assert.equal(config?.Handler, 'index.handler');
      assert.equal(config?.CodeSha256, fixture.sha256);
    }
    assert.equal(ingest?.Role, `arn:aws:iam::${MOTO_ACCOUNT}:role/${names.ingestRole}`);
    const ingestConfig = ingestConfigFromEnv(ingest?.Environment?.Variables ?? {});
    assert.equal(ingestConfig.rawBucket, buckets.raw);
    assert.equal(ingestConfig.quotesTable, names.quotesTable);
    const trendsConfig = trendsConfigFromEnv(trends?.Environment?.Variables ?? {});
    assert.equal(trendsConfig.language, 'es');
    assert.equal(trendsConfig.alertsTable, names.alertsTable);
    assert.equal(trendsConfig.alertsTopicArn, arn('sns', names.alertsTopic));
    assert.deepEqual(trendsConfig.strategy, { name: 'crossover', short: 5, long: 20 });

    const ingestMapping = (
      await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: names.ingestFunction }))
    ).EventSourceMappings?.[0];
    assert.equal(ingestMapping?.EventSourceArn, arn('kinesis', `stream/${names.stream}`));
    assert.equal(ingestMapping?.BatchSize, 500);
    assert.equal(ingestMapping?.MaximumBatchingWindowInSeconds, 1);
    assert.equal(ingestMapping?.StartingPosition, 'TRIM_HORIZON');
    assert.equal(ingestMapping?.BisectBatchOnFunctionError, true);
    // Both mappings keep what they give up on, whole, in the raw bucket (not SNS: only metadata).
    const failuresArn = `arn:aws:s3:::${buckets.raw}`;
    const trendsMapping = (
      await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: names.trendsFunction }))
    ).EventSourceMappings?.[0];
    assert.equal(trendsMapping?.EventSourceArn, quotes?.LatestStreamArn);
    // Both handlers work per batch (a Query per symbol, a lake object per run): batches of 500.
    assert.equal(trendsMapping?.BatchSize, 500);
    assert.deepEqual(
      trendsMapping?.FilterCriteria?.Filters?.map((filter) => JSON.parse(filter.Pattern ?? '')),
      [{ eventName: ['INSERT'] }],
    );
    for (const mapping of [ingestMapping, trendsMapping]) {
      assert.deepEqual(mapping?.FunctionResponseTypes, ['ReportBatchItemFailures']);
      assert.ok(
        (mapping?.MaximumRetryAttempts ?? -1) >= 0 && (mapping?.MaximumRetryAttempts ?? 99) <= 10,
        'bounded retries',
      );
      assert.ok((mapping?.MaximumRecordAgeInSeconds ?? -1) > 0, 'bounded record age');
      assert.equal(mapping?.DestinationConfig?.OnFailure?.Destination, failuresArn);
      assert.equal(mapping?.State, 'Enabled');
    }

    const subscriptions = await (await clients.get('sns')).send(
      new ListSubscriptionsByTopicCommand({ TopicArn: arn('sns', names.alertsTopic) }),
    );
    assert.deepEqual(
      subscriptions.Subscriptions?.map((subscription) => `${subscription.Protocol}:${subscription.Endpoint}`),
      ['email:ops@example.com'],
    );

    const glue = await clients.get('glue');
    const table = (await glue.send(new GetTableCommand({ DatabaseName: 'alpha', Name: 'stock_data_raw' }))).Table;
    // The raw Glue table is the lake's one definition (src/core/lake.ts), columns and projection range.
    assert.equal(table?.TableType, 'EXTERNAL_TABLE');
    assert.deepEqual(
      table?.StorageDescriptor?.Columns?.map((c) => [c.Name, c.Type]),
      LAKE_COLUMNS.map((column) => [column.name, column.glue]),
    );
    const columns = Object.fromEntries((table?.StorageDescriptor?.Columns ?? []).map((c) => [c.Name, c.Type]));
    assert.equal(columns.volume, 'bigint');
    assert.deepEqual(table?.PartitionKeys, [{ Name: 'dt', Type: 'string' }]);
    assert.equal(table?.StorageDescriptor?.SerdeInfo?.SerializationLibrary, 'org.openx.data.jsonserde.JsonSerDe');
    assert.equal(table?.StorageDescriptor?.SerdeInfo?.Parameters?.['ignore.malformed.json'], 'true');
    assert.equal(table?.Parameters?.['projection.enabled'], 'true');
    assert.equal(table?.Parameters?.['projection.dt.type'], 'date');
    assert.equal(table?.Parameters?.['projection.dt.format'], 'yyyy-MM-dd');
    // An empty lake projects from setup's day (its clock is FIXED_NOW) until tomorrow, not from 1970.
    assert.equal(table?.Parameters?.['projection.dt.range'], '2026-11-22,NOW+1DAYS');
    assert.equal(table?.Parameters?.['storage.location.template'], `s3://${buckets.raw}/raw/dt=\${dt}/`);
    // Records dated before yesterday are written by month, to a second raw table the view reads too.
    const monthly = (await glue.send(new GetTableCommand({ DatabaseName: 'alpha', Name: 'stock_data_raw_monthly' })))
      .Table;
    assert.deepEqual(monthly?.StorageDescriptor?.Columns, table?.StorageDescriptor?.Columns);
    assert.deepEqual(monthly?.PartitionKeys, [{ Name: 'month', Type: 'string' }]);
    assert.equal(monthly?.StorageDescriptor?.SerdeInfo?.SerializationLibrary, 'org.openx.data.jsonserde.JsonSerDe');
    assert.equal(monthly?.Parameters?.['projection.month.type'], 'date');
    assert.equal(monthly?.Parameters?.['projection.month.format'], 'yyyy-MM');
    assert.equal(monthly?.Parameters?.['projection.month.range'], '2026-11,NOW');
    assert.equal(monthly?.Parameters?.['projection.month.interval.unit'], 'MONTHS');
    assert.equal(monthly?.Parameters?.['storage.location.template'], `s3://${buckets.raw}/raw-months/month=\${month}/`);
    // What queries name is the view over it, in Athena's encoding, as the lake's definition builds it.
    const view = (await glue.send(new GetTableCommand({ DatabaseName: 'alpha', Name: 'stock_data_table' }))).Table;
    assert.equal(view?.TableType, 'VIRTUAL_VIEW');
    assert.equal(view?.Parameters?.presto_view, 'true');
    assert.equal(view?.ViewExpandedText, '/* Presto View */');
    assert.deepEqual(decodePrestoView(view?.ViewOriginalText), {
      ...lakeViewDefinition('alpha', pipelineNames('alpha')),
    });
    assert.deepEqual(
      view?.StorageDescriptor?.Columns?.map((c) => [c.Name, c.Type]),
      [...LAKE_COLUMNS.map((column) => [column.name, column.glue]), ['dt', 'string']],
    );

    // Never the bare pipeline name: `--name primary` must not take over the default workgroup.
    assert.equal(names.workgroup, 'alpha-workgroup');
    const workgroup = (
      await (await clients.get('athena')).send(new GetWorkGroupCommand({ WorkGroup: names.workgroup }))
    ).WorkGroup;
    assert.equal(workgroup?.Configuration?.BytesScannedCutoffPerQuery, BYTES_SCANNED_CUTOFF);
    assert.equal(workgroup?.Configuration?.ResultConfiguration?.OutputLocation, `s3://${buckets.results}/results/`);

    const groups = await (await clients.get('logs')).send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/alpha-' }),
    );
    assert.deepEqual(groups.logGroups?.map((group) => `${group.logGroupName}:${group.retentionInDays}`).sort(), [
      `${names.ingestLogGroup}:30`,
      `${names.trendsLogGroup}:30`,
    ]);

    const alarms = await (await clients.get('cloudwatch')).send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'alpha-' }),
    );
    const byName = Object.fromEntries(
      (alarms.MetricAlarms ?? []).map((alarm): [string, MetricAlarm] => [alarm.AlarmName ?? '', alarm]),
    );
    assert.deepEqual(Object.keys(byName).sort(), Object.values(names.alarms).sort());
    for (const alarm of Object.values(byName)) {
      assert.deepEqual(alarm.AlarmActions, [arn('sns', names.alertsTopic)]);
    }
    assert.equal(byName[names.alarms.noIncomingData]?.MetricName, 'IncomingRecords');
    assert.equal(byName[names.alarms.ingestErrors]?.MetricName, 'Errors');
    assert.equal(byName[names.alarms.iteratorAge]?.MetricName, 'IteratorAge');
    const trendsAge = byName[names.alarms.trendsIteratorAge];
    assert.equal(trendsAge?.MetricName, 'IteratorAge');
    assert.deepEqual(trendsAge?.Dimensions, [{ Name: 'FunctionName', Value: names.trendsFunction }]);
    for (const [alarm, metric] of [
      [names.alarms.quotesWriteThrottles, 'WriteThrottleEvents'],
      [names.alarms.quotesReadThrottles, 'ReadThrottleEvents'],
    ] as const) {
      assert.equal(byName[alarm]?.Namespace, 'AWS/DynamoDB');
      assert.equal(byName[alarm]?.MetricName, metric);
      assert.deepEqual(byName[alarm]?.Dimensions, [{ Name: 'TableName', Value: names.quotesTable }]);
    }
    // Every description says what to do, with a command that runs as printed.
    for (const alarm of Object.values(byName)) {
      assert.match(alarm.AlarmDescription ?? '', /`stockpipe (tail (ingest|trends) --since 1h|status) --name alpha`/);
    }

    // One tag key, valid in every service (Kinesis refuses colons), on every taggable resource.
    assert.equal(PIPELINE_TAG_KEY, 'stockpipe/pipeline');
    assert.match(PIPELINE_TAG_KEY, /^[\p{L}\p{N} _./=+\-%@]+$/u);
    const ours = (tagList: { Key?: string | undefined; Value?: string | undefined }[] | undefined) =>
      (tagList ?? []).some((tag) => tag.Key === PIPELINE_TAG_KEY && tag.Value === 'alpha');
    const kinesisTags = await (await clients.get('kinesis')).send(
      new ListTagsForStreamCommand({ StreamName: names.stream }),
    );
    assert.ok(ours(kinesisTags.Tags), 'stream');
    for (const table of [names.quotesTable, names.alertsTable]) {
      const tagged = await (await clients.get('dynamodb')).send(
        new ListTagsOfResourceCommand({ ResourceArn: arn('dynamodb', `table/${table}`) }),
      );
      assert.ok(ours(tagged.Tags), table);
    }
    const functionTags = await (await clients.get('lambda')).send(
      new ListTagsCommand({ Resource: arn('lambda', `function:${names.ingestFunction}`) }),
    );
    assert.equal(functionTags.Tags?.[PIPELINE_TAG_KEY], 'alpha');
    const topicTags = await (await clients.get('sns')).send(
      new SnsListTags({ ResourceArn: arn('sns', names.alertsTopic) }),
    );
    assert.ok(ours(topicTags.Tags), 'topic');
    const workgroupTags = await (await clients.get('athena')).send(
      new AthenaListTags({ ResourceARN: arn('athena', `workgroup/${names.workgroup}`) }),
    );
    assert.ok(ours(workgroupTags.Tags), 'workgroup');
    const alarmTags = await (await clients.get('cloudwatch')).send(
      new CloudWatchListTags({ ResourceARN: byName[names.alarms.ingestErrors]?.AlarmArn }),
    );
    assert.ok(ours(alarmTags.Tags), 'alarm');

    // .stockpipe/<name>.json records settings and ARNs.
    const state = JSON.parse(readFileSync(join(cwd, '.stockpipe', 'alpha.json'), 'utf8'));
    assert.equal(state.resources['ingest-function'], ingest?.FunctionArn);
  });

  it('a second setup makes zero mutating calls and says it is up to date', async () => {
    const first = await setup('alpha', { email: ['ops@example.com'] });
    assert.equal(first.exit, 0);
    assert.ok(first.mutations.length > 20);
    const second = await setup('alpha', { email: ['ops@example.com'] });
    assert.equal(second.exit, 0);
    assert.deepEqual(second.mutations, []);
    assert.match(second.stdout, /up to date/);
  });

  it('--json prints one document listing every resource and its ARN', async () => {
    const counting = countingClients(moto);
    opened.push(counting.clients);
    const capture = quietIO({ json: true });
    const exit = await runSetup(parseSetupFlags({}), {
      io: capture.io,
      name: 'alpha',
      clients: counting.clients,
      pipeline: await awsTargetPipeline(counting.clients),
      cwd,
      code,
      timing: FAST_TIMING,
    });
    assert.equal(exit, 0);
    assert.equal(capture.stderr(), '', 'no decoration');
    const document = JSON.parse(capture.stdout());
    assert.equal(document.ok, true);
    assert.equal(document.account, MOTO_ACCOUNT);
    assert.equal(document.resources.length, 29);
    for (const resource of document.resources) {
      if (resource.id === 'alert-subscriptions') continue;
      assert.match(resource.arn ?? '', /^arn:aws:/, `${resource.id} has an ARN`);
      assert.ok(['created', 'updated'].includes(resource.state), `${resource.id}: ${resource.state}`);
    }
  });

  it('a changed option updates only what changed', async () => {
    await setup('alpha');
    const language = await setup('alpha', { alertLang: 'pl' });
    assert.deepEqual(language.mutations, ['UpdateFunctionConfigurationCommand']);
    const retention = await setup('alpha', { alertLang: 'pl', logRetention: '7' });
    assert.deepEqual(retention.mutations, ['PutRetentionPolicyCommand', 'PutRetentionPolicyCommand']);
    const newCode = await setup('alpha', { alertLang: 'pl', logRetention: '7' }, await fixtureCode('v2'));
    assert.deepEqual(newCode.mutations, ['UpdateFunctionCodeCommand', 'UpdateFunctionCodeCommand']);
    const email = await setup(
      'alpha',
      { alertLang: 'pl', logRetention: '7', email: ['new@example.com'] },
      await fixtureCode('v2'),
    );
    assert.deepEqual(email.mutations, ['SubscribeCommand']);
  });

  it('--dry-run plans without a single mutating call', async () => {
    const counting = countingClients(moto);
    opened.push(counting.clients);
    const capture = quietIO({ json: true });
    const exit = await runSetup(parseSetupFlags({ dryRun: true }), {
      io: capture.io,
      name: 'alpha',
      clients: counting.clients,
      pipeline: await awsTargetPipeline(counting.clients),
      cwd,
      code,
      timing: FAST_TIMING,
    });
    assert.equal(exit, 0);
    assert.deepEqual(counting.mutations, []);
    const plan = JSON.parse(capture.stdout()).plan as { id: string; action: string }[];
    assert.ok(plan.length >= 20);
    assert.ok(plan.every((entry) => entry.action === 'create'));
    await setup('alpha');
    const again = quietIO();
    await runSetup(parseSetupFlags({ dryRun: true, alertLang: 'es' }), {
      io: again.io,
      name: 'alpha',
      clients: counting.clients,
      pipeline: await awsTargetPipeline(counting.clients),
      cwd,
      code,
      timing: FAST_TIMING,
    });
    assert.match(again.stdout(), /update\s+Lambda function\s+alpha-trends \(environment ALERT_LANG\)/);
    assert.match(again.stdout(), /0 to create, 1 to update/);
  });

  it('status reports a healthy pipeline, then a degraded one, as JSON and exit codes', async () => {
    await setup('alpha', { email: ['ops@example.com'] });
    const clients = reader();
    const healthy = quietIO({ json: true });
    assert.equal(
      await runStatus({
        io: healthy.io,
        name: 'alpha',
        clients,
        pipeline: await awsTargetPipeline(clients),
        cwd,
        documentClient: () => clients.documentClient(),
      }),
      0,
    );
    const report = JSON.parse(healthy.stdout());
    assert.equal(report.healthy, true);
    assert.equal(report.resources.length, 29);
    assert.deepEqual(
      report.mappings.map((m: { state: string }) => m.state),
      ['Enabled', 'Enabled'],
    );
    assert.equal(report.subscriptions[0].email, 'ops@example.com');
    assert.equal(typeof report.subscriptions[0].confirmed, 'boolean');
    assert.equal(report.activity.recordsLastHour, 0);
    assert.deepEqual(report.activity.ingestedLastHour, { stored: 0, quarantined: 0, superseded: 0 });
    assert.equal(report.activity.lastAlert, null);

    // The ingest function's metrics (EMF on AWS; put directly here), summed over the hour.
    const { PutMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
    const cloudwatch = await clients.get('cloudwatch');
    for (const [stored, quarantined, superseded] of [
      [90, 8, 2],
      [10, 0, 1],
    ]) {
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: 'stockpipe',
          MetricData: [
            ['RecordsStored', stored],
            ['RecordsQuarantined', quarantined],
            ['RecordsSuperseded', superseded],
          ].map(([MetricName, Value]) => ({
            MetricName: MetricName as string,
            Value: Value as number,
            Unit: 'Count',
            // A minute ago: well inside the hour status sums, whichever clock stamps it.
            Timestamp: new Date(Date.now() - 60_000),
            Dimensions: [{ Name: 'service', Value: 'alpha-ingest' }],
          })),
        }),
      );
    }
    const counted = quietIO({ json: true });
    await runStatus({ io: counted.io, name: 'alpha', clients, pipeline: await awsTargetPipeline(clients), cwd });
    assert.deepEqual(JSON.parse(counted.stdout()).activity.ingestedLastHour, {
      stored: 100,
      quarantined: 8,
      superseded: 3,
    });

    // Remove one piece: status says which and exits 1.
    const { DeleteFunctionCommand } = await import('@aws-sdk/client-lambda');
    await (await clients.get('lambda')).send(new DeleteFunctionCommand({ FunctionName: 'alpha-trends' }));
    const broken = quietIO();
    assert.equal(
      await runStatus({ io: broken.io, name: 'alpha', clients, pipeline: await awsTargetPipeline(clients), cwd }),
      1,
    );
    assert.match(broken.stdout(), /missing\s+Lambda function\s+alpha-trends/);
    assert.match(broken.stdout(), /stockpipe setup --name alpha/);
  });

  it('cleanup leaves nothing with the name; a second cleanup has nothing to do', async () => {
    await setup('alpha', { email: ['ops@example.com'] });
    const buckets = bucketNames('alpha', MOTO_ACCOUNT, MOTO_REGION);
    const s3 = await reader().get('s3');
    // moto enforces the TLS-only policy on its plain-HTTP endpoint: lift it to write test objects.
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: buckets.raw }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: buckets.raw, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const Key = 'raw/dt=2026-11-22/a.json.gz';
    await s3.send(new PutObjectCommand({ Bucket: buckets.raw, Key, Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: buckets.raw, Key, Body: 'y' }));
    await s3.send(new DeleteObjectCommand({ Bucket: buckets.raw, Key }));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: buckets.raw }));
    assert.equal((versions.Versions?.length ?? 0) + (versions.DeleteMarkers?.length ?? 0), 3);
    // The topic earlier versions created and nothing used: no longer set up, still cleaned up.
    await (await reader().get('sns')).send(new CreateTopicCommand({ Name: 'alpha-failures' }));
    const first = await cleanup('alpha');
    assert.equal(first.exit, 0);
    // The five Glue tables (the view, then the two raw and two compacted tables it reads: the
    // graph's order), then their database.
    const glueDeletes = first.serviceMutations.filter((call) => call.startsWith('glue:'));
    assert.deepEqual(glueDeletes, [
      'glue:DeleteTableCommand',
      'glue:DeleteTableCommand',
      'glue:DeleteTableCommand',
      'glue:DeleteTableCommand',
      'glue:DeleteTableCommand',
      'glue:DeleteDatabaseCommand',
    ]);
    assert.deepEqual(await leftovers(reader(), 'alpha'), []);
    assert.equal(existsSync(join(cwd, '.stockpipe', 'alpha.json')), false);
    const second = await cleanup('alpha', true);
    assert.equal(second.exit, 0);
    assert.deepEqual(second.mutations, []);
    assert.equal(JSON.parse(second.stdout).nothingToDo, true);
  });

  it('a pipeline set up by an earlier version (old tag key, workgroup named like it) is still found and removed', async () => {
    assert.equal((await setup('alpha')).exit, 0);
    const athena = await reader().get('athena');
    // The workgroup earlier versions created, tagged the old way; and someone else's, untagged.
    await athena.send(
      new CreateWorkGroupCommand({ Name: 'alpha', Tags: [{ Key: LEGACY_PIPELINE_TAG_KEYS[0], Value: 'alpha' }] }),
    );
    await athena.send(new CreateWorkGroupCommand({ Name: 'beta' }));
    const workgroup = (await statusJson('alpha')).resources.find((r) => r.id === 'workgroup');
    assert.equal(workgroup?.presence, 'present');
    assert.equal((await cleanup('alpha')).exit, 0);
    assert.deepEqual(await leftovers(reader(), 'alpha'), []);
    const left = await athena.send(new GetWorkGroupCommand({ WorkGroup: 'beta' }));
    assert.equal(left.WorkGroup?.Name, 'beta', 'an untagged workgroup is not ours');

    // Status and cleanup of a pipeline whose only trace is the legacy workgroup.
    await athena.send(
      new CreateWorkGroupCommand({ Name: 'gamma', Tags: [{ Key: LEGACY_PIPELINE_TAG_KEYS[0], Value: 'gamma' }] }),
    );
    assert.equal((await cleanup('gamma')).exit, 0);
    assert.deepEqual(await leftovers(reader(), 'gamma'), []);
  });

  it('a stock_data_table left as a table by an earlier version becomes the view; setup again changes nothing', async () => {
    assert.equal((await setup('alpha')).exit, 0);
    const glue = await reader().get('glue');
    // Earlier versions: no raw tables, and the raw table's definition under the name queries use.
    await glue.send(new DeleteTableCommand({ DatabaseName: 'alpha', Name: 'stock_data_table' }));
    await glue.send(new DeleteTableCommand({ DatabaseName: 'alpha', Name: 'stock_data_raw' }));
    await glue.send(new DeleteTableCommand({ DatabaseName: 'alpha', Name: 'stock_data_raw_monthly' }));
    const names = pipelineNames('alpha');
    const ctx = { name: 'alpha', names, buckets: bucketNames('alpha', MOTO_ACCOUNT, MOTO_REGION) };
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'alpha',
        TableInput: { ...glueTableInput(ctx, RAW_TABLES[0] as RawTable, '1970-01-01'), Name: 'stock_data_table' },
      }),
    );

    const { code, resources } = await statusJson('alpha');
    assert.equal(code, 1);
    assert.equal(resources.find((r) => r.id === 'glue-table')?.presence, 'missing');
    const old = resources.find((r) => r.id === 'glue-view');
    assert.equal(old?.presence, 'degraded');
    assert.deepEqual(old?.notes, ['differs: EXTERNAL_TABLE, not a view']);

    const migrated = await setup('alpha');
    assert.equal(migrated.exit, 0, migrated.stderr);
    // The raw tables first, then the old table replaced by the view.
    assert.deepEqual(migrated.mutations, [
      'CreateTableCommand',
      'CreateTableCommand',
      'DeleteTableCommand',
      'CreateTableCommand',
    ]);
    assert.match(migrated.stderr, /created\s+Glue table \(raw lake\)\s+alpha\.stock_data_raw\b/);
    assert.match(migrated.stderr, /created\s+Glue table \(raw lake by month\)\s+alpha\.stock_data_raw_monthly\b/);
    assert.match(migrated.stderr, /updated\s+Glue view\s+alpha\.stock_data_table .*\(EXTERNAL_TABLE, not a view\)$/m);
    const raw = (await glue.send(new GetTableCommand({ DatabaseName: 'alpha', Name: 'stock_data_raw' }))).Table;
    assert.equal(raw?.TableType, 'EXTERNAL_TABLE');
    const view = (await glue.send(new GetTableCommand({ DatabaseName: 'alpha', Name: 'stock_data_table' }))).Table;
    assert.equal(view?.TableType, 'VIRTUAL_VIEW');
    assert.deepEqual(view?.PartitionKeys ?? [], []);
    assert.equal(decodePrestoView(view?.ViewOriginalText)?.originalSql, lakeViewDefinition('alpha', names).originalSql);
    assert.deepEqual((await setup('alpha')).mutations, []);

    // A view whose SQL someone changed is put back with one UpdateTable.
    await glue.send(
      new UpdateTableCommand({
        DatabaseName: 'alpha',
        TableInput: { ...view, Name: 'stock_data_table', ViewOriginalText: '/* Presto View: e30= */' } as TableInput,
      }),
    );
    const repaired = await setup('alpha');
    assert.deepEqual(repaired.mutations, ['UpdateTableCommand']);
    assert.match(repaired.stderr, /updated\s+Glue view\s+alpha\.stock_data_table .*\(view definition\)$/m);
    assert.deepEqual((await setup('alpha')).mutations, []);
  });

  it('two pipelines live side by side and are cleaned up independently', async () => {
    assert.equal((await setup('alpha')).exit, 0);
    assert.equal((await setup('alpha-two', { strategy: 'threshold' })).exit, 0);
    assert.equal((await cleanup('alpha')).exit, 0);
    assert.deepEqual(await leftovers(reader(), 'alpha', 'alpha-two'), []);
    assert.ok((await leftovers(reader(), 'alpha-two')).length > 20);
    const other = await setup('alpha-two', { strategy: 'threshold' });
    assert.deepEqual(other.mutations, [], 'the other pipeline is untouched and complete');
    assert.equal((await cleanup('alpha-two')).exit, 0);
    assert.deepEqual(await leftovers(reader(), 'alpha-two'), []);
  });

  it('bad input exits 2 and creates nothing; cleanup without a terminal needs --yes', async () => {
    const env = { ...moto.env };
    for (const argv of [
      ['setup', '--name', 'Bad_Name'],
      ['setup', '--name', 'primary'],
      ['setup', '--name', 'sthree-x'],
      ['setup', '--name', 'amzn-s3-demo-x'],
      ['setup', '--email', 'not-an-address'],
      ['setup', '--region', 'moon-1'],
      ['setup', '--strategy', 'magic'],
      ['setup', '--alert-lang', 'fr'],
      ['setup', '--log-retention', '8'],
      ['setup', '--strategy', 'crossover', '--sma-short', '30'],
      ['cleanup'],
      ['setup', '--target', 'local', '--email', 'me@example.com'],
    ]) {
      const result = await runCli(argv, { env, cwd });
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr.trim().split('\n').length, 1, 'one line');
    }
    // Without a terminal, money is not spent without --yes: exit 2 after reading, before creating.
    const unconfirmed = await runCli(['setup'], { env, cwd });
    assert.equal(unconfirmed.code, 2, unconfirmed.stderr);
    assert.match(
      unconfirmed.stderr,
      /error: setup creates resources that cost money \(about \$\d+\.\d\d a month while idle, plus what the data costs\): pass --yes to confirm/,
    );
    assert.deepEqual(await leftovers(reader(), 'stockpipe'), []);
  });

  it('on a terminal, setup asks for an e-mail and cleanup asks for the pipeline name', async () => {
    const asked: string[] = [];
    const answers = ['me@example.com', 'yes', 'wrong-name', 'alpha'];
    const prompter = {
      input: async (message: string, validate?: (value: string) => true | string) => {
        asked.push(message);
        if (validate) assert.notEqual(validate('not an address'), true);
        return answers.shift() ?? '';
      },
    };
    const clients = reader();
    const terminal = () => createCaptureIO({ tty: true });
    assert.equal(terminal().io.canPrompt, true);
    const exit = await runSetup(parseSetupFlags({}), {
      io: terminal().io,
      name: 'alpha',
      clients,
      pipeline: await awsTargetPipeline(clients),
      cwd,
      code,
      timing: FAST_TIMING,
      prompter,
    });
    assert.equal(exit, 0);
    assert.match(asked[0] ?? '', /E-mail address/);
    assert.match(asked[1] ?? '', /Create them\? \(yes\/no\)/, 'it asks before creating billable resources');
    const subscriptions = await (await clients.get('sns')).send(
      new ListSubscriptionsByTopicCommand({ TopicArn: arn('sns', 'alpha-alerts') }),
    );
    assert.equal(subscriptions.Subscriptions?.[0]?.Endpoint, 'me@example.com');

    const cleanupDeps = {
      io: terminal().io,
      name: 'alpha',
      clients,
      pipeline: await awsTargetPipeline(clients),
      cwd,
      timing: FAST_TIMING,
      prompter,
    };
    await assert.rejects(runCleanup({ dryRun: false }, cleanupDeps), {
      name: 'CancelledError',
      message: "Cancelled — 'wrong-name' is not alpha: nothing was deleted",
    });
    assert.ok((await leftovers(clients, 'alpha')).length > 20, 'a wrong name deletes nothing');
    assert.equal(await runCleanup({ dryRun: false }, { ...cleanupDeps, io: terminal().io }), 0);
    assert.deepEqual(await leftovers(clients, 'alpha'), []);
    assert.equal(asked.length, 4);
    assert.match(asked[3] ?? '', /Type the pipeline name \(alpha\)/);
  });

  it('the CLI runs status and cleanup against the endpoint by name alone', async () => {
    await setup('alpha');
    const env = { ...moto.env };
    const status = await runCli(['status', '--name', 'alpha', '--json'], {
      env,
      cwd: mkdtempSync(join(tmpdir(), 'sp-')),
    });
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).healthy, true);
    const dry = await runCli(['cleanup', '--name', 'alpha', '--dry-run'], { env, cwd });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /29 resources would be deleted/);
    const removed = await runCli(['cleanup', '--name', 'alpha', '--yes', '--json'], { env, cwd });
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(JSON.parse(removed.stdout).ok, true);
    const gone = await runCli(['status', '--name', 'alpha'], { env, cwd });
    assert.equal(gone.code, 1);
    assert.match(gone.stdout, /stockpipe setup --name alpha/);
  });
});
