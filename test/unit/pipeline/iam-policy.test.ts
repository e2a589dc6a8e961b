/**
 * The deployer's and user's policies, from the one table of calls (src/pipeline/permissions.ts):
 * every node of the graph has its row, the policies scope every resource to the pipeline (the few
 * actions IAM cannot scope excepted, by name), fit IAM's size limits, and docs/aws.md lists exactly
 * the table's actions. That the table matches what the code sends is the conformance suite's job
 * (test/conformance/deployer-policy.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { awsPipelineGraph } from '../../../src/pipeline/aws-graph.ts';
import {
  actionsOf,
  identityPolicy,
  MANAGED_POLICY_LIMIT,
  partitionOfRegion,
  policySize,
  ROLE_INLINE_POLICY_LIMIT,
} from '../../../src/pipeline/iam-policy.ts';
import { COMMAND_ACTIONS, RESOURCE_ACTIONS, resourceKindOf } from '../../../src/pipeline/permissions.ts';
import { permissionsDoc } from '../../../src/pipeline/permissions-doc.ts';
import { createResourceContext } from '../../../src/pipeline/run.ts';
import { runCli } from '../../helpers/cli.ts';

const place = { name: 'demo', account: '111122223333', region: 'eu-west-1', partition: 'aws' };

/** The actions IAM grants on "*" only, or that stockpipe scopes another way (a condition, the account's log groups). */
const UNSCOPED: Record<string, string> = {
  'lambda:ListEventSourceMappings': 'names no resource',
  'cloudwatch:GetMetricStatistics': 'names no resource',
  'lambda:CreateEventSourceMapping': 'scoped by lambda:FunctionArn',
  'lambda:GetEventSourceMapping': 'scoped by lambda:FunctionArn',
  'lambda:UpdateEventSourceMapping': 'scoped by lambda:FunctionArn',
  'lambda:DeleteEventSourceMapping': 'scoped by lambda:FunctionArn',
  'logs:DescribeLogGroups': "the account's log groups",
};

describe('the permissions table', () => {
  it('has a row for every kind of node in the AWS graph', () => {
    const identity = { account: place.account, region: place.region, partition: 'aws', arn: '' };
    const ctx = createResourceContext({
      clients: { get: async () => assert.fail('no calls') },
      name: 'demo',
      identity,
    });
    for (const node of awsPipelineGraph(ctx)) {
      const kind = resourceKindOf(node.id);
      assert.ok(kind && RESOURCE_ACTIONS[kind], `${node.id} (${node.kind}) has a row in RESOURCE_ACTIONS`);
    }
  });

  it('setup describes and ensures, cleanup describes and destroys, every kind', () => {
    for (const [kind, actions] of Object.entries(RESOURCE_ACTIONS)) {
      const has = (command: 'setup' | 'cleanup', list: readonly (readonly [string, string])[]) =>
        list.every(([action, scope]) => COMMAND_ACTIONS[command].some(([a, s]) => a === action && s === scope));
      assert.ok(has('setup', [...actions.describe, ...(actions.compare ?? []), ...actions.ensure]), `setup: ${kind}`);
      assert.ok(has('cleanup', [...actions.describe, ...actions.destroy]), `cleanup: ${kind}`);
    }
  });
});

describe('stockpipe policy deploy|use', () => {
  for (const kind of ['deploy', 'use'] as const) {
    it(`${kind}: every action named, every resource this pipeline's (except where IAM cannot scope it)`, () => {
      const policy = identityPolicy(kind, place);
      for (const statement of policy.Statement) {
        assert.equal(statement.Effect, 'Allow');
        for (const action of statement.Action) assert.match(action, /^[a-z0-9]+:[A-Za-z]+$/, 'no wildcard');
        for (const resource of statement.Resource) {
          if (resource === '*' || resource.endsWith(':log-group:*')) {
            for (const action of statement.Action) assert.ok(UNSCOPED[action], `${action} on ${resource}`);
            continue;
          }
          assert.match(resource, /^arn:aws:[a-z0-9-]+:(eu-west-1)?:(111122223333)?:/);
          // The pipeline's name, or a container only it uses (the Glue catalog, Athena's default database).
          assert.ok(/demo/.test(resource) || /:catalog$|database\/default$/.test(resource), resource);
        }
      }
      const actions = actionsOf(policy);
      assert.equal(new Set(actions).size, actions.length);
    });
  }

  it('the deploy policy has what the issue found missing; the use policy what query, tail and stream call', () => {
    const deploy = actionsOf(identityPolicy('deploy', place));
    const use = actionsOf(identityPolicy('use', place));
    for (const action of ['kinesis:DescribeStream', 'athena:ListTagsForResource', 'iam:PassRole']) {
      assert.ok(deploy.includes(action as never), action);
    }
    for (const action of [
      'cloudwatch:EnableAlarmActions',
      'cloudwatch:DisableAlarmActions',
      'logs:FilterLogEvents',
      'glue:GetDatabase',
      'glue:GetTable',
      'kinesis:PutRecords',
      'athena:StartQueryExecution',
    ]) {
      assert.ok(use.includes(action as never), action);
    }
    const glue = identityPolicy('use', place).Statement.find((s) => s.Action.includes('glue:GetTable' as never));
    assert.ok(glue?.Resource.includes('arn:aws:glue:eu-west-1:111122223333:catalog'), 'the catalog');
    assert.ok(glue?.Resource.includes('arn:aws:glue:eu-west-1:111122223333:database/default'), 'Athena needs default');
    const passRole = identityPolicy('deploy', place).Statement.find((s) => s.Action.includes('iam:PassRole'));
    assert.deepEqual(passRole?.Condition, { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } });
    assert.deepEqual(passRole?.Action, ['iam:PassRole'], 'the condition applies to PassRole alone');
  });

  it('fits IAM: a managed policy for the default name, a role inline policy for the longest name', () => {
    const longest = { ...place, name: 'a'.repeat(24), region: 'ap-southeast-2' };
    assert.ok(policySize(identityPolicy('deploy', { ...place, name: 'stockpipe' })) <= MANAGED_POLICY_LIMIT);
    assert.ok(policySize(identityPolicy('use', longest)) <= MANAGED_POLICY_LIMIT);
    assert.ok(policySize(identityPolicy('deploy', longest)) <= ROLE_INLINE_POLICY_LIMIT);
  });

  it('names the partition of the region', () => {
    assert.equal(partitionOfRegion('cn-north-1'), 'aws-cn');
    assert.equal(partitionOfRegion('us-gov-west-1'), 'aws-us-gov');
    assert.equal(partitionOfRegion('eu-west-1'), 'aws');
  });

  it('docs/aws.md lists exactly the table (npm run docs:permissions rewrites it)', () => {
    const doc = readFileSync(new URL('../../../docs/aws.md', import.meta.url), 'utf8');
    assert.ok(
      doc.includes(permissionsDoc()),
      `docs/aws.md's permissions differ from the table; expected:\n${permissionsDoc()}`,
    );
  });

  it('prints without credentials or any call when --account is given; JSON alone on stdout', async () => {
    const env = { AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
    const printed = await runCli(
      ['policy', 'deploy', '--name', 'demo', '--account', '111122223333', '--region', 'eu-west-1'],
      { env },
    );
    assert.equal(printed.code, 0, printed.stderr);
    assert.deepEqual(JSON.parse(printed.stdout), identityPolicy('deploy', place));
    assert.match(
      printed.stderr,
      /IAM policy for deploy \(setup, cleanup, status\) of pipeline demo in account 111122223333, region eu-west-1/,
    );
    const json = await runCli(
      ['policy', 'use', '--name', 'demo', '--account', '111122223333', '--region', 'eu-west-1', '--json'],
      { env },
    );
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), identityPolicy('use', place));
    assert.equal(json.stderr, '');
  });

  it('bad input: one line, exit 2', async () => {
    for (const argv of [
      ['policy'],
      ['policy', 'admin'],
      ['policy', 'use', '--account', '12345'],
      ['policy', 'use', '--target', 'local'],
      ['policy', 'deploy', '--account', '111122223333'],
    ]) {
      const result = await runCli(argv, { env: { AWS_CONFIG_FILE: '/nonexistent' } });
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr.trim().split('\n').length, 1, `${argv.join(' ')}: one line`);
      assert.equal(result.stdout, '');
    }
  });
});
