/**
 * What real AWS does and moto does not (issue 13): each test injects the shape AWS documents and
 * checks the pipeline copes — retries, waits, replaces, or says the right thing in one line.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { AthenaClient, GetWorkGroupCommand, InvalidRequestException } from '@aws-sdk/client-athena';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteTableCommand,
  EntityNotFoundException,
  GetDatabaseCommand,
  GetTableCommand,
  GlueClient,
} from '@aws-sdk/client-glue';
import { GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  NotFound,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, NotFoundException, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { ServiceName } from '../../../src/aws/clients.ts';
import { StockpipeError } from '../../../src/errors.ts';
import { awsPipelineGraph, DEFAULT_SPEC } from '../../../src/pipeline/aws-graph.ts';
import { isNotFound } from '../../../src/pipeline/aws-helpers.ts';
import { renderChanges } from '../../../src/pipeline/render.ts';
import { createResourceContext, describeRemaining } from '../../../src/pipeline/run.ts';
import type { ResourceContext, Timing } from '../../../src/pipeline/types.ts';

const config = { region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
const clients = {
  athena: new AthenaClient(config),
  dynamodb: new DynamoDBClient(config),
  glue: new GlueClient(config),
  iam: new IAMClient(config),
  lambda: new LambdaClient(config),
  s3: new S3Client(config),
  sns: new SNSClient(config),
};
const mocks = {
  athena: mockClient(clients.athena),
  dynamodb: mockClient(clients.dynamodb),
  glue: mockClient(clients.glue),
  iam: mockClient(clients.iam),
  lambda: mockClient(clients.lambda),
  s3: mockClient(clients.s3),
  sns: mockClient(clients.sns),
};
afterEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
});

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const QUOTES_STREAM_OLD = 'arn:aws:dynamodb:us-east-1:111122223333:table/demo-quotes/stream/2026-01-01T00:00:00.000';
const QUOTES_STREAM_NEW = 'arn:aws:dynamodb:us-east-1:111122223333:table/demo-quotes/stream/2026-02-02T00:00:00.000';

function context(options: { spec?: boolean; sleeps?: number[]; timing?: Partial<Timing> } = {}): ResourceContext {
  const sleeps = options.sleeps ?? [];
  return createResourceContext({
    clients: { get: async (service: ServiceName) => clients[service as keyof typeof clients] as never },
    name: 'demo',
    identity: { account: '111122223333', region: 'us-east-1', partition: 'aws', arn: '' },
    ...(options.spec === false ? {} : { spec: DEFAULT_SPEC }),
    code: async () => ({ bytes: new Uint8Array([1, 2, 3]), sha256: 'abc' }),
    timing: {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      waiter: { minDelay: 0.001, maxDelay: 0.002, maxWaitTime: 1 },
      pollMs: 1,
      pollBudgetMs: 50,
      ...options.timing,
    },
  });
}

const node = (ctx: ResourceContext, id: string) => {
  const found = awsPipelineGraph(ctx).find((n) => n.id === id);
  assert.ok(found, id);
  return found;
};

const missingObservation = { presence: 'missing' as const, changes: [], notes: [] };

describe('S3: a bucket name deleted moments ago', () => {
  const aborted = () =>
    new S3ServiceException({
      name: 'OperationAborted',
      $fault: 'client',
      ...meta(409),
      message: 'A conflicting conditional operation is currently in progress against this resource.',
    });

  const acceptSettings = () => {
    mocks.s3.on(PutBucketTaggingCommand).resolves({});
    mocks.s3.on(PutPublicAccessBlockCommand).resolves({});
    mocks.s3.on(PutBucketEncryptionCommand).resolves({});
    mocks.s3.on(PutBucketPolicyCommand).resolves({});
  };

  it('OperationAborted twice, then success: setup waits with a long backoff and creates it', async () => {
    const sleeps: number[] = [];
    const ctx = context({ sleeps });
    mocks.s3.on(CreateBucketCommand).rejectsOnce(aborted()).rejectsOnce(aborted()).resolves({});
    acceptSettings();
    const outcome = await node(ctx, 'raw-bucket').ensure(ctx, missingObservation);
    assert.equal(outcome.action, 'created');
    assert.equal(mocks.s3.commandCalls(CreateBucketCommand).length, 3);
    assert.deepEqual(sleeps, [10_000, 20_000]);
  });

  it('OperationAborted until the budget runs out: one line saying to wait and rerun', async () => {
    const ctx = context({ timing: { bucketConflictDelayMs: 10, bucketConflictBudgetMs: 50 } });
    mocks.s3.on(CreateBucketCommand).rejects(aborted());
    await assert.rejects(node(ctx, 'raw-bucket').ensure(ctx, missingObservation), (error: Error) => {
      assert.ok(error instanceof StockpipeError);
      assert.match(
        error.message,
        /^S3 is still releasing the bucket name demo-raw-.*wait a few minutes and run setup again$/,
      );
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  });

  it('BucketAlreadyExists says the name belongs to another account', async () => {
    const ctx = context();
    mocks.s3
      .on(CreateBucketCommand)
      .rejects(new S3ServiceException({ name: 'BucketAlreadyExists', $fault: 'client', ...meta(409) }));
    await assert.rejects(node(ctx, 'raw-bucket').ensure(ctx, missingObservation), /taken by another AWS account/);
  });
});

describe('S3: deleting is eventually consistent', () => {
  it('a deleted bucket still answering HeadBucket: destroy waits until it is gone', async () => {
    const ctx = context({ spec: false });
    mocks.s3.on(DeleteBucketPolicyCommand).resolves({});
    mocks.s3.on(ListObjectVersionsCommand).resolves({});
    mocks.s3.on(DeleteBucketCommand).resolves({});
    mocks.s3
      .on(HeadBucketCommand)
      .resolvesOnce({})
      .resolvesOnce({})
      .rejects(new NotFound({ message: 'Not Found', ...meta(404) }));
    assert.equal(await node(ctx, 'raw-bucket').destroy(ctx), 'deleted');
    assert.equal(mocks.s3.commandCalls(HeadBucketCommand).length, 3);
  });

  it('cleanup re-reads before calling anything still present', async () => {
    const ctx = context({ spec: false });
    mocks.s3
      .on(HeadBucketCommand)
      .resolvesOnce({})
      .rejects(new NotFound({ message: 'Not Found', ...meta(404) }));
    const remaining = await describeRemaining([node(ctx, 'raw-bucket')], ctx);
    assert.deepEqual(remaining, []);
    assert.equal(mocks.s3.commandCalls(HeadBucketCommand).length, 2);
  });

  it('…and reports what stays present after every re-read', async () => {
    const ctx = context({ spec: false });
    mocks.s3.on(HeadBucketCommand).resolves({});
    const remaining = await describeRemaining([node(ctx, 'raw-bucket')], ctx);
    assert.deepEqual(
      remaining.map((entry) => entry.id),
      ['raw-bucket'],
    );
    assert.equal(mocks.s3.commandCalls(HeadBucketCommand).length, ctx.timing.settleReads);
  });

  it('HeadBucket 403 means no permission, not "owned by another account" alone', async () => {
    const ctx = context();
    mocks.s3
      .on(HeadBucketCommand)
      .rejects(new S3ServiceException({ name: 'Forbidden', $fault: 'client', ...meta(403), message: '' }));
    await assert.rejects(node(ctx, 'raw-bucket').describe(ctx), (error: Error) => {
      assert.match(error.message, /^no permission to read the bucket demo-raw-\S+ \(HeadBucket: 403 Forbidden\)/);
      assert.match(error.message, /s3:ListBucket/);
      return true;
    });
  });
});

describe('the not-found shapes AWS really returns', () => {
  it('Athena InvalidRequestException "WorkGroup … is not found" → the workgroup is missing', async () => {
    const ctx = context();
    mocks.athena.on(GetWorkGroupCommand).rejects(
      new InvalidRequestException({
        message: 'WorkGroup demo-workgroup is not found.',
        AthenaErrorCode: 'INVALID_INPUT',
        ...meta(400),
      }),
    );
    assert.equal((await node(ctx, 'workgroup').describe(ctx)).presence, 'missing');
  });

  it('any other Athena InvalidRequestException is a real failure', () => {
    assert.equal(
      isNotFound(new InvalidRequestException({ message: 'Bytes scanned cap too small', ...meta(400) })),
      false,
    );
  });

  it('SNS NotFound → the topic is missing', async () => {
    const ctx = context();
    mocks.sns
      .on(GetTopicAttributesCommand)
      .rejects(new NotFoundException({ message: 'Topic does not exist', ...meta(404) }));
    assert.equal((await node(ctx, 'alerts-topic').describe(ctx)).presence, 'missing');
    assert.equal(await node(ctx, 'alerts-topic').destroy(ctx), 'absent');
  });

  it('IAM NoSuchEntity → the role is missing', async () => {
    const ctx = context();
    mocks.iam
      .on(GetRoleCommand)
      .rejects(
        new NoSuchEntityException({ message: 'The role with name demo-ingest-role cannot be found.', ...meta(404) }),
      );
    assert.equal((await node(ctx, 'ingest-role').describe(ctx)).presence, 'missing');
  });

  it('Glue EntityNotFoundException → the database, table and view are missing', async () => {
    const ctx = context();
    const notFound = () => new EntityNotFoundException({ message: 'Database demo not found.', ...meta(400) });
    mocks.glue.on(GetDatabaseCommand).rejects(notFound());
    mocks.glue.on(GetTableCommand).rejects(notFound());
    mocks.glue.on(DeleteTableCommand).rejects(notFound());
    assert.equal((await node(ctx, 'glue-database').describe(ctx)).presence, 'missing');
    assert.equal((await node(ctx, 'glue-table').describe(ctx)).presence, 'missing');
    assert.equal((await node(ctx, 'glue-view').describe(ctx)).presence, 'missing');
    assert.equal(await node(ctx, 'glue-view').destroy(ctx), 'absent');
  });

  it('S3 HeadBucket 404 NotFound → the bucket is missing', async () => {
    const ctx = context();
    mocks.s3.on(HeadBucketCommand).rejects(new NotFound({ message: 'Not Found', ...meta(404) }));
    assert.equal((await node(ctx, 'results-bucket').describe(ctx)).presence, 'missing');
  });
});

describe('DynamoDB drift', () => {
  const activeTable = (streamViewType: string, streamArn: string) => ({
    Table: {
      TableName: 'demo-quotes',
      TableStatus: 'ACTIVE' as const,
      TableArn: 'arn:aws:dynamodb:us-east-1:111122223333:table/demo-quotes',
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' as const },
      StreamSpecification: { StreamEnabled: true, StreamViewType: streamViewType as 'NEW_IMAGE' },
      LatestStreamArn: streamArn,
    },
  });
  const ttlEnabled = { TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED' as const, AttributeName: 'expires_at' } };

  it('stream view type change: switched off, waited for, switched back on with NEW_IMAGE', async () => {
    const ctx = context();
    mocks.dynamodb
      .on(DescribeTableCommand)
      .resolvesOnce(activeTable('NEW_AND_OLD_IMAGES', QUOTES_STREAM_OLD)) // describe
      .resolvesOnce(activeTable('NEW_AND_OLD_IMAGES', QUOTES_STREAM_OLD)) // waiter after create-or-not
      .resolves({
        Table: { ...activeTable('NEW_IMAGE', QUOTES_STREAM_NEW).Table, StreamSpecification: { StreamEnabled: false } },
      });
    mocks.dynamodb.on(DescribeTimeToLiveCommand).resolves(ttlEnabled);
    mocks.dynamodb
      .on(UpdateTableCommand)
      .resolvesOnce({})
      // Enabling while the old stream is still going away: retried.
      .rejectsOnce(Object.assign(new Error('Table already has an enabled stream'), { name: 'ValidationException' }))
      .resolves({});
    const table = node(ctx, 'quotes-table');
    const observed = await table.describe(ctx);
    assert.deepEqual(observed.changes, [{ field: 'stream', from: 'NEW_AND_OLD_IMAGES', to: 'NEW_IMAGE' }]);
    assert.deepEqual(renderChanges(observed.changes), ['replace stream NEW_AND_OLD_IMAGES → NEW_IMAGE']);
    const outcome = await table.ensure(ctx, observed);
    assert.equal(outcome.action, 'updated');
    const updates = mocks.dynamodb
      .commandCalls(UpdateTableCommand)
      .map((call) => call.args[0].input.StreamSpecification);
    assert.deepEqual(updates, [
      { StreamEnabled: false },
      { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    ]);
    assert.equal(mocks.dynamodb.commandCalls(UpdateTimeToLiveCommand).length, 0);
  });

  it('the trends mapping on the old stream is replaced by one on the current stream', async () => {
    const ctx = context();
    mocks.dynamodb.on(DescribeTableCommand).resolves(activeTable('NEW_IMAGE', QUOTES_STREAM_NEW));
    mocks.lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [{ UUID: 'old', EventSourceArn: QUOTES_STREAM_OLD, State: 'Enabled' }],
    });
    mocks.lambda.on(DeleteEventSourceMappingCommand).resolves({});
    mocks.lambda
      .on(GetEventSourceMappingCommand, { UUID: 'old' })
      .rejects(new ResourceNotFoundException({ message: 'gone', ...meta(404) }));
    mocks.lambda.on(CreateEventSourceMappingCommand).resolves({ UUID: 'new', State: 'Enabled' });
    const mapping = node(ctx, 'trends-mapping');
    const observed = await mapping.describe(ctx);
    assert.equal(observed.presence, 'degraded', 'status and cleanup see the stale mapping');
    assert.deepEqual(observed.changes, [
      { action: 'createOnCurrentSource' },
      { action: 'removeStaleMapping', uuid: 'old', source: QUOTES_STREAM_OLD },
    ]);
    assert.match(renderChanges(observed.changes).join(), /create on the current source,remove stale mapping old/);
    assert.equal((await mapping.ensure(ctx, observed)).action, 'created');
    assert.deepEqual(
      mocks.lambda.commandCalls(DeleteEventSourceMappingCommand).map((call) => call.args[0].input.UUID),
      ['old'],
    );
    assert.equal(
      mocks.lambda.commandCalls(CreateEventSourceMappingCommand)[0]?.args[0].input.EventSourceArn,
      QUOTES_STREAM_NEW,
    );
  });

  for (const [description, expected] of [
    [{ TimeToLiveStatus: 'DISABLING', AttributeName: 'expires_at' }, /TTL is DISABLING.*run setup again later/],
    [{ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' }, /TTL is ENABLED on ttl/],
  ] as const) {
    it(`TTL ${description.TimeToLiveStatus} on ${description.AttributeName}: reported, UpdateTimeToLive not called`, async () => {
      const ctx = context();
      mocks.dynamodb.on(DescribeTableCommand).resolves(activeTable('NEW_IMAGE', QUOTES_STREAM_NEW));
      mocks.dynamodb.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: description });
      const table = node(ctx, 'quotes-table');
      const observed = await table.describe(ctx);
      assert.equal(observed.changes.length, 1);
      assert.match(renderChanges(observed.changes)[0] ?? '', expected);
      assert.equal((await table.ensure(ctx, observed)).action, 'unchanged');
      assert.equal(mocks.dynamodb.commandCalls(UpdateTimeToLiveCommand).length, 0);
    });
  }

  it('TTL DISABLED: enabled on expires_at', async () => {
    const ctx = context();
    mocks.dynamodb.on(DescribeTableCommand).resolves(activeTable('NEW_IMAGE', QUOTES_STREAM_NEW));
    mocks.dynamodb.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
    mocks.dynamodb.on(UpdateTimeToLiveCommand).resolves({});
    const table = node(ctx, 'quotes-table');
    const observed = await table.describe(ctx);
    assert.deepEqual(observed.changes, [{ field: 'ttl', status: 'DISABLED', attribute: undefined, to: 'expires_at' }]);
    assert.deepEqual(renderChanges(observed.changes), ['TTL on expires_at']);
    assert.equal((await table.ensure(ctx, observed)).action, 'updated');
    assert.deepEqual(mocks.dynamodb.commandCalls(UpdateTimeToLiveCommand)[0]?.args[0].input.TimeToLiveSpecification, {
      Enabled: true,
      AttributeName: 'expires_at',
    });
  });
});

describe('Lambda: transitional states', () => {
  it('a mapping created in state Creating is polled until Enabled', async () => {
    const ctx = context();
    mocks.dynamodb
      .on(DescribeTableCommand)
      .resolves({ Table: { TableStatus: 'ACTIVE', LatestStreamArn: QUOTES_STREAM_NEW } });
    mocks.lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    mocks.lambda.on(CreateEventSourceMappingCommand).resolves({ UUID: 'u', State: 'Creating' });
    mocks.lambda
      .on(GetEventSourceMappingCommand)
      .resolvesOnce({ UUID: 'u', State: 'Creating' })
      .resolvesOnce({ UUID: 'u', State: 'Enabling' })
      .resolves({ UUID: 'u', State: 'Enabled' });
    assert.equal((await node(ctx, 'trends-mapping').ensure(ctx, missingObservation)).action, 'created');
    assert.equal(mocks.lambda.commandCalls(GetEventSourceMappingCommand).length, 3);
  });

  it('a mapping still Creating is not updated until it settles (no ResourceInUseException)', async () => {
    const ctx = context();
    const arn = 'arn:aws:kinesis:us-east-1:111122223333:stream/demo-stream';
    mocks.lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [{ UUID: 'u', EventSourceArn: arn, State: 'Creating', BatchSize: 10 }],
    });
    mocks.lambda
      .on(GetEventSourceMappingCommand)
      .resolvesOnce({ UUID: 'u', State: 'Creating', BatchSize: 10 })
      .resolvesOnce({ UUID: 'u', State: 'Enabled', BatchSize: 10 })
      .resolves({ UUID: 'u', State: 'Enabled', BatchSize: 100 });
    mocks.lambda.on(UpdateEventSourceMappingCommand).callsFake(() => {
      const polled = mocks.lambda.commandCalls(GetEventSourceMappingCommand).length;
      if (polled < 2) throw Object.assign(new Error('in use'), { name: 'ResourceInUseException' });
      return {};
    });
    const mapping = node(ctx, 'ingest-mapping');
    const observed = await mapping.describe(ctx);
    assert.equal(observed.presence, 'degraded');
    assert.equal((await mapping.ensure(ctx, observed)).action, 'updated');
    assert.equal(mocks.lambda.commandCalls(UpdateEventSourceMappingCommand).length, 1);
  });

  it('after an interrupted create, waits for State Active before updating the configuration', async () => {
    const ctx = context();
    mocks.lambda
      .on(GetFunctionCommand)
      .resolvesOnce({ Configuration: { State: 'Pending', LastUpdateStatus: 'Successful' } })
      .resolvesOnce({ Configuration: { State: 'Pending', LastUpdateStatus: 'Successful' } })
      .resolves({ Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } });
    mocks.lambda.on(UpdateFunctionConfigurationCommand).callsFake(() => {
      assert.ok(mocks.lambda.commandCalls(GetFunctionCommand).length >= 3, 'configuration updated while Pending');
      return {};
    });
    const outcome = await node(ctx, 'ingest-function').ensure(ctx, {
      presence: 'degraded',
      changes: [{ field: 'timeout', from: 3, to: 60 }],
      notes: [{ note: 'state', state: 'Pending' }],
    });
    assert.equal(outcome.action, 'updated');
    assert.equal(mocks.lambda.commandCalls(UpdateFunctionConfigurationCommand).length, 1);
  });
});
