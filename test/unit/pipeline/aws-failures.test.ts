import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import {
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  NotFound,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { ServiceName } from '../../../src/aws/clients.ts';
import { profileExists } from '../../../src/aws/profile.ts';
import { awsPipelineGraph, DEFAULT_SPEC } from '../../../src/pipeline/aws-graph.ts';
import { isIamPropagationError, retryIamPropagation } from '../../../src/pipeline/aws-helpers.ts';
import { createResourceContext } from '../../../src/pipeline/run.ts';
import type { ResourceContext, Timing } from '../../../src/pipeline/types.ts';
import { runCli } from '../../helpers/cli.ts';

const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
const lambda = new LambdaClient({ region: 'us-east-1', credentials });
const s3 = new S3Client({ region: 'us-east-1', credentials });

function awsError(name: string, message: string) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

function context(sleeps: number[]): ResourceContext {
  const timing: Partial<Timing> = {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    waiter: { minDelay: 0.001, maxDelay: 0.002, maxWaitTime: 1 },
    pollMs: 1,
  };
  const clients = {
    get: async (service: ServiceName) => ({ lambda, s3 })[service as 'lambda' | 's3'] as never,
  };
  return createResourceContext({
    clients,
    name: 'demo',
    identity: { account: '111122223333', region: 'us-east-1', partition: 'aws', arn: '' },
    spec: DEFAULT_SPEC,
    code: async () => ({ bytes: new Uint8Array([1, 2, 3]), sha256: 'abc' }),
    timing,
  });
}

const node = (ctx: ResourceContext, id: string) => {
  const found = awsPipelineGraph(ctx).find((n) => n.id === id);
  assert.ok(found);
  return found;
};

describe('IAM propagation', () => {
  const lambdaMock = mockClient(lambda);
  afterEach(() => lambdaMock.reset());

  it('CreateFunction: the "cannot be assumed" error twice, then success, with growing backoff', async () => {
    const sleeps: number[] = [];
    const ctx = context(sleeps);
    const assumed = awsError(
      'InvalidParameterValueException',
      'The role defined for the function cannot be assumed by Lambda.',
    );
    lambdaMock
      .on(CreateFunctionCommand)
      .rejectsOnce(assumed)
      .rejectsOnce(assumed)
      .resolves({ FunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:demo-ingest' });
    lambdaMock.on(GetFunctionCommand).resolves({ Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } });
    const outcome = await node(ctx, 'ingest-function').ensure(ctx, { presence: 'missing', changes: [], notes: [] });
    assert.equal(outcome.action, 'created');
    assert.equal(lambdaMock.commandCalls(CreateFunctionCommand).length, 3);
    assert.deepEqual(sleeps, [2000, 4000]);
    const input = lambdaMock.commandCalls(CreateFunctionCommand)[0]?.args[0].input;
    assert.equal(input?.Runtime, 'nodejs22.x');
    assert.deepEqual(input?.Architectures, ['arm64']);
  });

  it('CreateEventSourceMapping: "Cannot access stream" is retried too', async () => {
    const ctx = context([]);
    lambdaMock.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    lambdaMock
      .on(CreateEventSourceMappingCommand)
      .rejectsOnce(
        awsError(
          'InvalidParameterValueException',
          'Cannot access stream arn:aws:kinesis:… Please ensure the role can perform the GetRecords',
        ),
      )
      .resolves({ UUID: 'u', State: 'Enabled' });
    const outcome = await node(ctx, 'ingest-mapping').ensure(ctx, { presence: 'missing', changes: [], notes: [] });
    assert.equal(outcome.action, 'created');
    const input = lambdaMock.commandCalls(CreateEventSourceMappingCommand)[1]?.args[0].input;
    assert.equal(input?.BatchSize, 500);
    assert.equal(input?.StartingPosition, 'TRIM_HORIZON');
    assert.deepEqual(input?.FunctionResponseTypes, ['ReportBatchItemFailures']);
  });

  it('retries only the propagation messages, and gives up after its budget', async () => {
    assert.equal(
      isIamPropagationError(awsError('InvalidParameterValueException', 'Unzipped size must be smaller')),
      false,
    );
    assert.equal(isIamPropagationError(awsError('AccessDeniedException', 'cannot be assumed by Lambda')), false);
    let calls = 0;
    const other = awsError('InvalidParameterValueException', 'Runtime nodejs1.x is not supported');
    await assert.rejects(
      retryIamPropagation({ ...context([]).timing }, async () => {
        calls++;
        throw other;
      }),
      /not supported/,
    );
    assert.equal(calls, 1);
    const sleeps: number[] = [];
    const timing = { ...context(sleeps).timing, propagationDelayMs: 10, propagationBudgetMs: 100 };
    await assert.rejects(
      retryIamPropagation(timing, async () => {
        throw awsError(
          'InvalidParameterValueException',
          'The role defined for the function cannot be assumed by Lambda.',
        );
      }),
      /cannot be assumed/,
    );
    assert.ok(sleeps.reduce((a, b) => a + b, 0) <= 100);
    assert.ok(sleeps.length >= 3);
  });
});

describe('bucket deletion', () => {
  const s3Mock = mockClient(s3);
  afterEach(() => s3Mock.reset());

  it('BucketNotEmpty (a late writer): empties again and deletes', async () => {
    const ctx = context([]);
    s3Mock.on(DeleteBucketPolicyCommand).resolves({});
    s3Mock
      .on(ListObjectVersionsCommand)
      .resolvesOnce({ Versions: [{ Key: 'raw/a', VersionId: '1' }], DeleteMarkers: [{ Key: 'raw/a', VersionId: '2' }] })
      .resolvesOnce({ Versions: [{ Key: 'raw/late', VersionId: '3' }] })
      .resolves({});
    s3Mock.on(DeleteObjectsCommand).resolves({});
    s3Mock
      .on(DeleteBucketCommand)
      .rejectsOnce(
        new S3ServiceException({ name: 'BucketNotEmpty', $fault: 'client', $metadata: {}, message: 'not empty' }),
      )
      .resolves({});
    s3Mock.on(HeadBucketCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    assert.equal(await node(ctx, 'raw-bucket').destroy(ctx), 'deleted');
    const deleted = s3Mock
      .commandCalls(DeleteObjectsCommand)
      .flatMap((call) => call.args[0].input.Delete?.Objects ?? []);
    assert.deepEqual(deleted, [
      { Key: 'raw/a', VersionId: '1' },
      { Key: 'raw/a', VersionId: '2' },
      { Key: 'raw/late', VersionId: '3' },
    ]);
    assert.equal(s3Mock.commandCalls(DeleteBucketCommand).length, 2);
  });

  it('a bucket that does not exist counts as done', async () => {
    const ctx = context([]);
    s3Mock
      .on(DeleteBucketPolicyCommand)
      .rejects(new S3ServiceException({ name: 'NoSuchBucket', $fault: 'client', $metadata: {} }));
    assert.equal(await node(ctx, 'raw-bucket').destroy(ctx), 'absent');
  });
});

// One mock of the STS client class for every test here (two would share one stub).
const stsMock = mockClient(STSClient);

describe('missing credentials', () => {
  afterEach(() => stsMock.reset());

  for (const command of [['setup'], ['status'], ['cleanup', '--yes']]) {
    it(`${command[0]} exits 1 with one line saying how to fix it`, async () => {
      stsMock.on(GetCallerIdentityCommand).rejects(
        Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        }),
      );
      const result = await runCli([...command, '--region', 'us-east-1'], { env: {} });
      assert.equal(result.code, 1);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? '', /No usable AWS credentials.*aws configure/);
      assert.match(lines[0] ?? '', /stockpipe demo`.*--target local/);
      assert.equal(result.stdout, '');
    });
  }

  it('no region: one line pointing at --region, and at stockpipe demo and --target local', async () => {
    // What the SDK throws when neither the flags, the environment nor a profile gives a region.
    stsMock.on(GetCallerIdentityCommand).rejects(new Error('Region is missing'));
    const result = await runCli(['setup'], { env: {} });
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? '', /^error: No AWS region configured: pass --region, set AWS_REGION/);
    assert.match(lines[0] ?? '', /stockpipe demo`, or any command with --target local/);
  });
});

describe('a profile that does not exist', () => {
  afterEach(() => stsMock.reset());
  const dir = mkdtempSync(join(tmpdir(), 'stockpipe-profiles-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config'), '[default]\nregion = us-east-1\n\n[profile work]\nregion = eu-west-1\n');
  writeFileSync(join(dir, 'credentials'), '[ci]\naws_access_key_id = a\naws_secret_access_key = b\n');
  const files = { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };

  for (const [how, argv, env] of [
    ['AWS_PROFILE=nosuch', ['status'], { AWS_PROFILE: 'nosuch' }],
    ['--profile nosuch', ['status', '--profile', 'nosuch'], {}],
  ] as const) {
    it(`${how}: says the profile does not exist (exit 2), before any AWS call`, async () => {
      const result = await runCli([...argv], { env: { ...files, ...env } });
      assert.equal(result.code, 2, result.stderr);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? '', /^error: the AWS profile 'nosuch' does not exist in /);
      assert.match(lines[0] ?? '', /aws configure --profile nosuch/);
      assert.equal(stsMock.commandCalls(GetCallerIdentityCommand).length, 0);
    });
  }

  it('profiles in either file are found: [profile work] in config, [ci] in credentials, [default]', () => {
    for (const profile of ['work', 'ci', 'default']) assert.equal(profileExists(profile, files), true, profile);
    for (const profile of ['nosuch', 'profile work']) assert.equal(profileExists(profile, files), false, profile);
  });
});
