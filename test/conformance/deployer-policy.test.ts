/**
 * The policies `stockpipe policy deploy|use` prints, proven against the code in moto with IAM
 * enforcement on (moto 5.2: POST /moto-api/reset-auth with 0 makes every later request
 * authenticate and be authorized against the caller's IAM policies).
 *
 * (a) A deployer holding exactly the deploy policy runs setup, status and cleanup, and a user
 *     holding exactly the use policy runs status, stream, query, tail, alerts, watch and redrive, and one holding
 *     exactly the compact policy runs compact — through
 *     the commands' own definitions, as the CLI runs them — with zero AccessDenied. Between two
 *     setups an admin drifts the pipeline, so setup's repairs (Update*, Detach…) are sent too.
 * (b) Every call they sent is recorded by SDK middleware and mapped to what IAM checks for it
 *     (test/helpers/sdk-iam.ts): each must be allowed by the printed policy on the ARNs it names
 *     (resources included, which moto does not check), each command must send only what the table
 *     declares for it, and the actions sent must be exactly the policy's — minus a short list of
 *     actions this run cannot provoke, each with its reason. So removing any one action from the
 *     table fails this test (checked below action by action).
 * (c) moto really refuses each operation sent when the action it checks is denied — except those
 *     listed in MOTO_DOES_NOT_ENFORCE, which (b) alone covers.
 *
 * moto checks actions, not resources (except S3's bucket and object ARNs), names CloudWatch's
 * actions `monitoring:` (the signing name) and some S3 operations its own way: the users get the
 * printed policy in moto's dialect (motoDialect below), derived from it action by action.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import { UpdateTableCommand as UpdateDynamoTableCommand } from '@aws-sdk/client-dynamodb';
import { GetTableCommand, UpdateTableCommand as UpdateGlueTableCommand } from '@aws-sdk/client-glue';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  DeleteUserPolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { UpdateStreamModeCommand } from '@aws-sdk/client-kinesis';
import {
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { DeleteBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { AwsClients, type ServiceName } from '../../src/aws/clients.ts';
import { COMMANDS } from '../../src/cli/commands.ts';
import { prepare } from '../../src/cli/context.ts';
import { buildProgram } from '../../src/cli/program.ts';
import { bucketNames, PIPELINE_TAG_KEY, pipelineNames } from '../../src/core/names.ts';
import { errorMessage, UsageError } from '../../src/errors.ts';
import { actionsOf, type IdentityPolicy, identityPolicy, type PolicyPlace } from '../../src/pipeline/iam-policy.ts';
import { type AwsCommand, COMMAND_ACTIONS } from '../../src/pipeline/permissions.ts';
import { awsTarget } from '../../src/targets/aws.ts';
import { MOTO_ACCOUNT, MOTO_REGION, type Moto, motoSkipReason, startMoto } from '../helpers/moto.ts';
import { allowingStatements } from '../helpers/recording-proxy.ts';
import { iamActionOf, motoActionOf, recordCalls, requirementsOf, type SentCall } from '../helpers/sdk-iam.ts';
import { fixtureZip } from './pipeline-fixtures.ts';

const NAME = 'iam';
const place: PolicyPlace = { name: NAME, account: MOTO_ACCOUNT, region: MOTO_REGION, partition: 'aws' };
const names = pipelineNames(NAME);
const buckets = bucketNames(NAME, MOTO_ACCOUNT, MOTO_REGION);

/** Declared, and needed on AWS, but not provoked by this run: why not. */
const NOT_EXERCISED: Record<string, string> = {
  'athena:StopQueryExecution': 'only when a query is cancelled (Ctrl+C)',
  'athena:UpdateWorkGroup': 'moto 5.2 has no UpdateWorkGroup, so its configuration cannot drift here',
  'athena:ListTagsForResource':
    'use: status reads a workgroup’s tags only when the pipeline’s own is missing and one under its earlier name exists (cleanup, in deploy, does here)',
};

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The printed policy as moto 5.2 checks it: its action names, and "*" where it checks no resource. */
function motoDialect(policy: IdentityPolicy) {
  const s3Aliases: [string, string][] = [
    ['HeadBucket', 's3:HeadBucket'],
    ['GetBucketEncryption', motoActionOf('s3', 'GetBucketEncryption')],
    ['PutBucketEncryption', motoActionOf('s3', 'PutBucketEncryption')],
    ['GetPublicAccessBlock', motoActionOf('s3', 'GetPublicAccessBlock')],
    ['PutPublicAccessBlock', motoActionOf('s3', 'PutPublicAccessBlock')],
  ];
  return {
    Version: '2012-10-17',
    Statement: policy.Statement.map((statement) => {
      const actions = new Set<string>(statement.Action);
      for (const action of statement.Action) {
        if (action.startsWith('cloudwatch:')) actions.add(action.replace(/^cloudwatch:/, 'monitoring:'));
      }
      for (const [operation, moto] of s3Aliases) {
        if (statement.Action.includes(iamActionOf('s3', operation) as never)) actions.add(moto);
      }
      const s3 = statement.Action.every((action) => action.startsWith('s3:'));
      const resources = new Set(s3 ? statement.Resource : ['*']);
      // moto checks DeleteObjects (many keys) as s3:DeleteObject on the bucket, AWS on each key.
      if (statement.Action.includes('s3:DeleteObject')) {
        for (const resource of statement.Resource) resources.add(resource.replace(/\/.*$/, ''));
      }
      return { Effect: 'Allow', Action: [...actions].sort(), Resource: [...resources] };
    }),
  };
}

/** The identities of the lifecycle, one per printed policy. */
type Who = 'deployer' | 'user' | 'maintainer';

describe('the printed policies, with IAM enforced (moto)', { skip: motoSkipReason() }, () => {
  let moto: Moto;
  const calls: SentCall[] = [];
  let caller = 'admin';
  const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-iam-'));
  const keys: Record<'admin' | 'deployer' | 'user' | 'maintainer' | 'probe', Keys> = {} as never;
  const deploy = identityPolicy('deploy', place);
  const use = identityPolicy('use', place);
  const maintain = identityPolicy('compact', place);
  const transcript: string[] = [];
  let lifecycleMs = 0;

  const clientsAs = (who: keyof typeof keys) =>
    new AwsClients({
      region: MOTO_REGION,
      credentials: keys[who],
      env: moto.env,
      onClient: recordCalls(calls, () => caller),
    });

  /** Runs `stockpipe <argv>` as the CLI does (the same program and definitions), with `who`'s keys. */
  async function stockpipe(who: Who, argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const sink = (into: string[]) =>
      Object.assign(
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            into.push(chunk.toString('utf8'));
            done();
          },
        }),
        { isTTY: false },
      );
    const env = {
      ...moto.env,
      AWS_ACCESS_KEY_ID: keys[who].accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys[who].secretAccessKey,
    };
    const handles = {
      stdout: sink(out),
      stderr: sink(err),
      stdin: Object.assign(new PassThrough(), { isTTY: false }),
      env,
      cwd,
      signal: new AbortController().signal,
    };
    let code = 0;
    caller = `${who} ${argv[0]}`;
    const program = buildProgram(
      COMMANDS,
      '0.0.0',
      { writeOut: (text) => out.push(text), writeErr: (text) => err.push(text) },
      async (definition, flags, args, globals) => {
        const prepared = prepare(definition, globals, handles);
        const options = definition.parse
          ? await definition.parse(flags, {
              args,
              settings: prepared.settings,
              resolved: prepared.resolved,
              json: prepared.io.json,
              cwd,
              now: new Date(),
            })
          : flags;
        const clients = new AwsClients({
          region: MOTO_REGION,
          credentials: keys[who],
          env,
          onClient: recordCalls(calls, () => caller),
        });
        try {
          const target = awsTarget(prepared.settings, env, clients);
          code =
            (await definition.run?.(options, {
              ...prepared,
              cwd,
              signal: handles.signal,
              target,
              invocation: 'stockpipe',
            })) ?? 0;
        } finally {
          await clients.destroy();
        }
      },
    );
    try {
      await program.parseAsync([...argv, '--name', NAME, '--yes'], { from: 'user' });
    } catch (error) {
      err.push(errorMessage(error));
      code = error instanceof UsageError ? 2 : 1;
    }
    transcript.push(`$ stockpipe ${argv.join(' ')} (as ${who}) → ${code}\n${err.join('').slice(-600)}`);
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  before(async () => {
    moto = await startMoto();
    // Users and their policies, made before authorization is switched on.
    const iam = await moto.clients().get('iam');
    const policies: Record<keyof typeof keys, unknown> = {
      admin: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      deployer: motoDialect(deploy),
      user: motoDialect(use),
      maintainer: motoDialect(maintain),
      probe: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    };
    for (const who of Object.keys(policies) as (keyof typeof keys)[]) {
      await iam.send(new CreateUserCommand({ UserName: who }));
      const { Policy } = await iam.send(
        new CreatePolicyCommand({ PolicyName: `${who}-policy`, PolicyDocument: JSON.stringify(policies[who]) }),
      );
      await iam.send(new AttachUserPolicyCommand({ UserName: who, PolicyArn: Policy?.Arn }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: who }));
      keys[who] = { accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' };
    }
    iam.destroy();
    const response = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    assert.ok(response.ok, 'moto switched IAM enforcement on');
    const started = performance.now();
    await lifecycle();
    lifecycleMs = performance.now() - started;
  });
  after(async () => {
    await moto?.stop();
  });

  /** An admin changes what setup owns, so that the next setup sends its repairs. */
  async function drift() {
    caller = 'admin';
    const admin = clientsAs('admin');
    try {
      const lambda = await admin.get('lambda');
      await lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: names.ingestFunction, MemorySize: 128 }),
      );
      await lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: names.trendsFunction,
          ZipFile: (await fixtureZip('// drifted\n')).bytes,
        }),
      );
      const { EventSourceMappings = [] } = await lambda.send(
        new ListEventSourceMappingsCommand({ FunctionName: names.ingestFunction }),
      );
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: EventSourceMappings[0]?.UUID, BatchSize: 7 }));
      const iamClient = await admin.get('iam');
      const { Policy } = await iamClient.send(
        new CreatePolicyCommand({
          PolicyName: 'someone-elses',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
          }),
        }),
      );
      await iamClient.send(new AttachRolePolicyCommand({ RoleName: names.ingestRole, PolicyArn: Policy?.Arn }));
      await iamClient.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: names.trendsRole,
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
      const kinesis = await admin.get('kinesis');
      await kinesis.send(
        new UpdateStreamModeCommand({
          StreamARN: `arn:aws:kinesis:${MOTO_REGION}:${MOTO_ACCOUNT}:stream/${names.stream}`,
          StreamModeDetails: { StreamMode: 'PROVISIONED' },
        }),
      );
      const dynamodb = await admin.get('dynamodb');
      await dynamodb.send(
        new UpdateDynamoTableCommand({
          TableName: names.alertsTable,
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        }),
      );
      const glue = await admin.get('glue');
      const { Table } = await glue.send(
        new GetTableCommand({ DatabaseName: names.glueDatabase, Name: names.glueRawTable }),
      );
      await glue.send(
        new UpdateGlueTableCommand({
          DatabaseName: names.glueDatabase,
          TableInput: {
            Name: names.glueRawTable,
            StorageDescriptor: { ...Table?.StorageDescriptor, Location: 's3://elsewhere/' },
            PartitionKeys: Table?.PartitionKeys,
            Parameters: Table?.Parameters,
            TableType: Table?.TableType,
          },
        }),
      );
    } finally {
      await admin.destroy();
    }
  }

  /**
   * What status and redrive read: a batch Lambda gave up on and a quarantined record (the TLS-only
   * bucket policy refuses moto's plain HTTP: lifted first); history older than the raw tables'
   * projection, which query widens them to; and a workgroup under the pipeline's
   * bare name, tagged as its own, as earlier versions made it (status and cleanup check its tags).
   */
  async function keptRecordsAndLegacyWorkgroup() {
    caller = 'admin';
    const admin = clientsAs('admin');
    try {
      const s3 = await admin.get('s3');
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: buckets.raw }));
      await s3.send(
        new PutObjectCommand({
          Bucket: buckets.raw,
          Key: 'quarantine/dt=2026-01-01/one.json',
          Body: JSON.stringify({ payload: '{"symbol":"AAPL"}', partition_key: 'AAPL' }),
        }),
      );
      await s3.send(
        new PutObjectCommand({
          Bucket: buckets.raw,
          Key: 'aws/lambda/00000000-0000-0000-0000-000000000000/shardId-000000000000/one.json',
          Body: JSON.stringify({ KinesisBatchInfo: { shardId: 'shardId-000000000000' } }),
        }),
      );
      // History older than the raw tables project (another producer's replay): query widens them.
      await s3.send(
        new PutObjectCommand({ Bucket: buckets.raw, Key: 'raw-months/month=2001-01/old.json.gz', Body: '' }),
      );
      await (await admin.get('athena')).send(
        new CreateWorkGroupCommand({ Name: NAME, Tags: [{ Key: PIPELINE_TAG_KEY, Value: NAME }] }),
      );
    } finally {
      await admin.destroy();
    }
  }

  async function lifecycle() {
    const ok = async (who: Who, argv: string[]) => {
      const result = await stockpipe(who, argv);
      assert.equal(result.code, 0, `${argv.join(' ')} as ${who}: ${result.stderr}`);
      return result;
    };
    await ok('deployer', ['setup', '--email', 'ops@example.com']);
    await drift();
    await ok('deployer', ['setup']);
    await keptRecordsAndLegacyWorkgroup();
    await ok('deployer', ['status', '--json']);
    await ok('user', ['status', '--json']);
    await ok('user', ['stream', '--source', 'synthetic', '--symbol', 'AAPL', '--count', '20', '--interval', '0']);
    await moto.queueAthenaResults({
      results: [
        {
          rows: [{ Data: [{ VarCharValue: 'symbol' }] }, { Data: [{ VarCharValue: 'AAPL' }] }],
          column_info: [{ Name: 'symbol', Label: 'symbol', Type: 'varchar' }],
        },
      ],
    });
    await ok('user', ['query', 'top-movers']);
    await ok('user', ['tail', '--since', '1h']);
    await ok('user', ['alerts']);
    await ok('user', ['alerts', '--symbol', 'AAPL']);
    await ok('user', ['watch', '--symbol', 'AAPL', '--json']);
    await ok('user', ['redrive', '--from', 'quarantine']);
    // History older than the tables project, stored since the last query: compact widens them
    // before Athena reads (it must), then rewrites the closed months (one INSERT INTO) and deletes.
    caller = 'admin';
    const admin = clientsAs('admin');
    try {
      await (await admin.get('s3')).send(
        new PutObjectCommand({ Bucket: buckets.raw, Key: 'raw-months/month=2000-06/older.json.gz', Body: '' }),
      );
    } finally {
      await admin.destroy();
    }
    await ok('maintainer', ['compact', '--dry-run']);
    await ok('maintainer', ['compact']);
    await ok('deployer', ['cleanup']);
  }

  /** The calls the lifecycle's commands sent, with who sent them (deployer or user) and for which command. */
  const sent = () =>
    calls
      .filter((call) => /^(deployer|user|maintainer) /.test(call.caller))
      .map((call) => {
        const [who, command] = call.caller.split(' ') as [Who, AwsCommand];
        return { ...call, who, command, policy: { deployer: deploy, user: use, maintainer: maintain }[who] };
      });

  it('(a) the lifecycle passes as users holding exactly the printed policies, with zero AccessDenied', (t) => {
    const denied = sent().filter((call) => call.denied);
    assert.deepEqual(
      denied.map((call) => `${call.caller}: ${call.service}:${call.operation}`),
      [],
      transcript.join('\n'),
    );
    assert.ok(sent().length > 100, `${sent().length} calls`);
    t.diagnostic(`IAM lifecycle: ${(lifecycleMs / 1000).toFixed(1)} s, ${sent().length} calls`);
  });

  it('(b) every call is allowed by its policy on the ARNs it names; each command sends only what the table declares', () => {
    const problems: string[] = [];
    for (const call of sent()) {
      const declared = COMMAND_ACTIONS[call.command] ?? [];
      for (const requirement of requirementsOf(call, place)) {
        if (!declared.some(([action]) => action === requirement.action)) {
          problems.push(`${call.caller}: ${requirement.action} (${call.operation}) not declared for the command`);
        }
        for (const resource of requirement.resources) {
          if (allowingStatements(call.policy.Statement as never, requirement.action, resource).length === 0) {
            problems.push(`${call.caller}: ${requirement.action} on ${resource} not allowed`);
          }
        }
      }
    }
    assert.deepEqual([...new Set(problems)], []);
  });

  /** Declared actions the run did not need, for the deployer's or the user's policy. */
  const unusedOf = (who: Who, policy: IdentityPolicy) => {
    const needed = new Set(
      sent()
        .filter((call) => call.who === who)
        .flatMap((call) => requirementsOf(call, place).map((requirement) => requirement.action)),
    );
    return actionsOf(policy).filter((action) => !needed.has(action));
  };

  it('(b) the actions sent are exactly the policies’ (but for what this run cannot provoke, each with its reason)', () => {
    const unused = [
      ...unusedOf('deployer', deploy).map((a) => `deploy ${a}`),
      ...unusedOf('user', use).map((a) => `use ${a}`),
      ...unusedOf('maintainer', maintain).map((a) => `compact ${a}`),
    ];
    const explained = unused.filter((entry) => NOT_EXERCISED[entry.split(' ')[1] as string]);
    assert.deepEqual(
      unused.filter((entry) => !explained.includes(entry)),
      [],
      'declared but never needed: provoke it here, explain it in NOT_EXERCISED, or drop it',
    );
    const stale = Object.keys(NOT_EXERCISED).filter((action) => !unused.some((entry) => entry.endsWith(` ${action}`)));
    assert.deepEqual(stale, [], 'NOT_EXERCISED lists an action the run now sends: drop it from the list');
  });

  it('(b) removing any one action from a policy fails the checks above', () => {
    for (const [who, policy] of [
      ['deployer', deploy],
      ['user', use],
      ['maintainer', maintain],
    ] as const) {
      for (const action of actionsOf(policy)) {
        const without = {
          ...policy,
          Statement: policy.Statement.map((statement) => ({
            ...statement,
            Action: statement.Action.filter((granted) => granted !== action),
          })),
        };
        const needed = sent()
          .filter((call) => call.who === who)
          .flatMap((call) => requirementsOf(call, place))
          .some((requirement) =>
            requirement.resources.some(
              (resource) =>
                requirement.action === action &&
                allowingStatements(without.Statement as never, action, resource).length === 0,
            ),
          );
        // Either a call the run sent needs it, or it is one this run cannot provoke (then NOT_EXERCISED
        // would no longer match, failing the test above).
        assert.ok(needed || NOT_EXERCISED[action], `${who}: ${action} could be removed unnoticed`);
      }
    }
  });

  it('(c) moto refuses each operation sent when the action it checks is denied (but those it does not enforce)', async (t) => {
    const distinct = new Map<string, SentCall>();
    for (const call of sent()) distinct.set(`${call.service}:${call.operation}`, call);
    const unenforced: string[] = [];
    caller = 'admin';
    const admin = await clientsAs('admin').get('iam');
    for (const call of distinct.values()) {
      if (call.service === 'sts') continue;
      const action = motoActionOf(call.service, call.operation);
      await admin.send(
        new PutUserPolicyCommand({
          UserName: 'probe',
          PolicyName: 'deny-one',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: action, Resource: '*' }],
          }),
        }),
      );
      const probe = clientsAs('probe');
      caller = 'probe';
      try {
        const client = await probe.get(call.service as ServiceName);
        const sdk = (await import(`@aws-sdk/client-${sdkPackage(call.service)}`)) as Record<
          string,
          new (
            input: unknown,
          ) => never
        >;
        const Command = sdk[`${call.operation}Command`];
        assert.ok(Command, `${call.service}:${call.operation}`);
        await (client as { send(command: unknown): Promise<unknown> })
          .send(new Command(call.input))
          .catch(() => undefined);
      } finally {
        caller = 'admin';
        await probe.destroy();
      }
      const last = calls.at(-1);
      if (!last?.denied) unenforced.push(`${call.service}:${call.operation}`);
    }
    await admin.send(new DeleteUserPolicyCommand({ UserName: 'probe', PolicyName: 'deny-one' }));
    t.diagnostic(
      `moto enforces ${distinct.size - unenforced.length} of ${distinct.size} operations sent${unenforced.length > 0 ? `; not: ${unenforced.sort().join(', ')}` : ''}`,
    );
    assert.deepEqual(unenforced.sort(), MOTO_DOES_NOT_ENFORCE);
  });
});

/** Operations moto 5.2 serves without an authorization check: (b) alone proves their policy lines. */
const MOTO_DOES_NOT_ENFORCE: string[] = [];

function sdkPackage(service: ServiceName): string {
  return service === 'logs' ? 'cloudwatch-logs' : service;
}
