/**
 * Least privilege, proven both ways. setup creates the pipeline in moto; the handlers — the built
 * zips, with the environment setup gave each function — then run against moto's DynamoDB, S3 and
 * SNS through a proxy that records every AWS call each one sends. Each role's inline policy, as
 * stored in IAM, must allow every call its handler made, and every action of every statement the
 * handler is responsible for must have been used. Statements Lambda exercises itself with the
 * function's role (logs, the mapping's stream reads, the on-failure destination) are declared in
 * SERVICE_SIDE_STATEMENTS and checked to be exactly those.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { DeleteBucketPolicyCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda';
import type { AwsClients } from '../../src/aws/clients.ts';
import { bucketNames, pipelineNames } from '../../src/core/names.ts';
import type { LambdaFunction } from '../../src/packaging/lambda-zip.ts';
import { lambdaContext, loadLambdaHandler } from '../../src/packaging/load-lambda.ts';
import { INLINE_POLICY_NAME, SERVICE_SIDE_STATEMENTS } from '../../src/pipeline/policies.ts';
import { decodePolicy } from '../../src/pipeline/resources/role.ts';
import { crossingSeries, kinesisEvent, stockEvent, streamInsert } from '../helpers/lambda-events.ts';
import { MOTO_ACCOUNT, MOTO_REGION, type Moto, motoSkipReason, startMoto } from '../helpers/moto.ts';
import {
  allowingStatements,
  type PolicyStatement,
  type RecordedCall,
  type RecordingProxy,
  startRecordingProxy,
} from '../helpers/recording-proxy.ts';
import { setupInMoto } from './pipeline-fixtures.ts';

type BatchResult = { batchItemFailures: { itemIdentifier: string }[] };

/**
 * What Lambda needs to write to an on-failure destination with the function's role (Lambda
 * developer guide: sns:Publish, sqs:SendMessage, or s3:PutObject and s3:ListBucket). For S3 the
 * guide does not say under which keys a stream mapping writes, so the grant must cover a key Lambda
 * chooses (probed with one outside any prefix of ours), or failed records would be refused.
 */
function destinationNeeds(arn: string): [string, string][] {
  const service = arn.split(':')[2];
  if (service === 'sns') return [['sns:Publish', arn]];
  if (service === 'sqs') return [['sqs:SendMessage', arn]];
  if (service === 's3') {
    return [
      ['s3:ListBucket', arn],
      ['s3:PutObject', `${arn}/aws/lambda/00000000-0000-0000-0000-000000000000/shardId-000000000000/record.json`],
    ];
  }
  assert.fail(`unexpected on-failure destination ${arn}`);
}

describe('least privilege: every handler call allowed, every allowed action used', { skip: motoSkipReason() }, () => {
  const name = 'lp';
  const names = pipelineNames(name);
  let moto: Moto;
  let proxy: RecordingProxy;
  let clients: AwsClients;
  const policies = new Map<LambdaFunction, PolicyStatement[]>();
  const savedEnv = { ...process.env };

  before(async () => {
    moto = await startMoto();
    clients = moto.clients();
    await setupInMoto(clients, name, 'lp');
    const iam = await clients.get('iam');
    for (const [fn, role] of [
      ['ingest', names.ingestRole],
      ['trends', names.trendsRole],
    ] as const) {
      const stored = await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: INLINE_POLICY_NAME }));
      policies.set(fn, (decodePolicy(stored.PolicyDocument) as { Statement: PolicyStatement[] }).Statement);
    }
    // The raw bucket's TLS-only policy denies moto's plain HTTP; it is about transport, not the role.
    await (await clients.get('s3')).send(
      new DeleteBucketPolicyCommand({ Bucket: bucketNames(name, MOTO_ACCOUNT, MOTO_REGION).raw }),
    );
    proxy = await startRecordingProxy(moto.endpoint, MOTO_ACCOUNT);
    await exercise();
  });
  after(async () => {
    process.env = savedEnv;
    await proxy?.close();
    await clients?.destroy();
    await moto?.stop();
  });

  /** Runs a handler as Lambda would: the function's own environment (read back from Lambda), calls recorded. */
  async function invoke<E>(fn: LambdaFunction, functionName: string, event: E): Promise<BatchResult> {
    const lambda = await clients.get('lambda');
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    process.env = {
      ...savedEnv,
      ...moto.env,
      ...config.Environment?.Variables,
      AWS_ENDPOINT_URL: proxy.url,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const { handler } = await loadLambdaHandler<E, BatchResult>(fn, { fresh: true });
    proxy.current = fn;
    try {
      return await handler(event, lambdaContext(functionName));
    } finally {
      proxy.current = undefined;
    }
  }

  /** A realistic run: valid and invalid records through ingest, the stored quotes through trends. */
  async function exercise() {
    const events = crossingSeries('LPX', Date.now());
    const payloads: unknown[] = [...events];
    payloads.splice(5, 0, 'not json at all'); // → quarantine/
    const ingested = await invoke<KinesisStreamEvent>('ingest', names.ingestFunction, kinesisEvent(payloads));
    assert.deepEqual(ingested, { batchItemFailures: [] });

    const scan = await (await clients.documentClient()).send(new ScanCommand({ TableName: names.quotesTable }));
    const items = [...(scan.Items ?? [])];
    items.sort((a, b) => (String(a.timestamp) < String(b.timestamp) ? -1 : 1));
    assert.equal(items.length, events.length);
    for (let i = 0; i < items.length; i += 40) {
      const records = items.slice(i, i + 40).map((item, n) => streamInsert(item, i + n));
      const result = await invoke<DynamoDBStreamEvent>('trends', names.trendsFunction, { Records: records });
      assert.deepEqual(result, { batchItemFailures: [] });
    }
    // Replayed history goes to the lake's monthly folder (raw-months/).
    const history = stockEvent({ event_id: 'LPH-0', symbol: 'LPH', timestamp: '2020-01-02T21:00:00.000Z' });
    const replayed = await invoke<KinesisStreamEvent>('ingest', names.ingestFunction, kinesisEvent([history], 500));
    assert.deepEqual(replayed, { batchItemFailures: [] });
    // DynamoDB refusing a whole batch for good: ingest writes item by item (PutItem) instead.
    let refusals = 0;
    proxy.answer = (call) => {
      if (call.action !== 'dynamodb:BatchWriteItem') return undefined;
      refusals++;
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'ValidationException' },
        body: JSON.stringify({
          __type: 'com.amazon.coral.validate#ValidationException',
          message: 'One or more parameter values were invalid',
        }),
      };
    };
    try {
      const refused = stockEvent({ event_id: 'LPR-0', symbol: 'LPR' });
      const oneByOne = await invoke<KinesisStreamEvent>('ingest', names.ingestFunction, kinesisEvent([refused], 600));
      assert.deepEqual(oneByOne, { batchItemFailures: [] });
    } finally {
      proxy.answer = undefined;
    }
    assert.equal(refusals, 1);
  }

  const callsOf = (fn: string) => proxy.calls.filter((call) => call.caller === fn);
  const show = (call: RecordedCall) => `${call.action} on ${call.resources.join(', ')}`;

  it('the run exercised what matters: raw (by date and by month) and quarantine objects, quotes (by batch and item by item), alerts published and recorded', () => {
    assert.deepEqual(
      proxy.calls.filter((call) => call.caller === 'unattributed'),
      [],
    );
    const actions = (fn: string) => new Set(callsOf(fn).map((call) => call.action));
    assert.deepEqual([...actions('ingest')].sort(), ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 's3:PutObject']);
    assert.deepEqual([...actions('trends')].sort(), ['dynamodb:PutItem', 'dynamodb:Query', 'sns:Publish']);
  });

  for (const fn of ['ingest', 'trends'] as const) {
    it(`${fn}: every call it sent is allowed by its role's policy`, () => {
      const statements = policies.get(fn) ?? [];
      const denied = new Set(
        callsOf(fn).flatMap((call) =>
          call.resources
            .filter((resource) => allowingStatements(statements, call.action, resource).length === 0)
            .map((resource) => `${call.action} on ${resource}`),
        ),
      );
      const recorded = [...new Set(callsOf(fn).map(show))];
      assert.ok(recorded.length > 0, 'the handler made calls');
      assert.deepEqual([...denied], [], `calls the role would deny (recorded: ${recorded.join('; ')})`);
    });

    it(`${fn}: every action its policy grants the handler was used, on every resource granted`, () => {
      const statements = policies.get(fn) ?? [];
      const unused: string[] = [];
      for (const statement of statements) {
        if (SERVICE_SIDE_STATEMENTS.has(statement.Sid ?? '')) continue;
        for (const action of [statement.Action].flat()) {
          for (const resource of [statement.Resource].flat()) {
            const used = callsOf(fn).some(
              (call) =>
                call.action === action &&
                call.resources.some(
                  (arn) => allowingStatements([{ ...statement, Resource: resource }], action, arn).length > 0,
                ),
            );
            if (!used) unused.push(`${statement.Sid}: ${action} on ${resource}`);
          }
        }
      }
      assert.deepEqual(unused, [], 'granted but never used by the handler: drop it, or declare it service-side');
    });

    it(`${fn}: its mapping's on-failure destination is writable through the OnFailureDestination statement`, async () => {
      const lambda = await clients.get('lambda');
      const functionName = fn === 'ingest' ? names.ingestFunction : names.trendsFunction;
      const { EventSourceMappings = [] } = await lambda.send(
        new ListEventSourceMappingsCommand({ FunctionName: functionName }),
      );
      assert.equal(EventSourceMappings.length, 1);
      const destination = EventSourceMappings[0]?.DestinationConfig?.OnFailure?.Destination ?? '';
      // The S3 destination needs two statements (objects, and the bucket for ListBucket).
      const grants = (policies.get(fn) ?? []).filter((statement) => statement.Sid?.startsWith('OnFailureDestination'));
      for (const [action, resource] of destinationNeeds(destination)) {
        assert.ok(allowingStatements(grants, action, resource).length > 0, `${action} on ${resource}`);
      }
    });

    it(`${fn}: the service-side statements are only logs, stream reads and the on-failure destination`, () => {
      const statements = policies.get(fn) ?? [];
      for (const statement of statements.filter((s) => SERVICE_SIDE_STATEMENTS.has(s.Sid ?? ''))) {
        const actions = [statement.Action].flat();
        const expected: Record<string, RegExp> = {
          OwnLogGroup: /^logs:(CreateLogStream|PutLogEvents)$/,
          ReadStream: /^kinesis:(DescribeStream|DescribeStreamSummary|GetRecords|GetShardIterator|ListShards)$/,
          ReadQuotesStream: /^dynamodb:(DescribeStream|GetRecords|GetShardIterator)$/,
          ListStreams: /^dynamodb:ListStreams$/,
          OnFailureDestination: /^(sns:Publish|sqs:SendMessage|s3:PutObject|s3:ListBucket)$/,
          OnFailureDestinationList: /^s3:ListBucket$/,
        };
        for (const action of actions)
          assert.match(action, expected[statement.Sid ?? ''] ?? /^$/, String(statement.Sid));
      }
    });
  }
});
