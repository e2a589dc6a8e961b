import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketNames, pipelineNames } from '../../../src/core/names.ts';
import { awsPipelineGraph } from '../../../src/pipeline/aws-graph.ts';
import { checkGraph, topologicalOrder } from '../../../src/pipeline/graph.ts';
import type { NodeId } from '../../../src/pipeline/node-ids.ts';
import { ingestPolicy, trendsPolicy } from '../../../src/pipeline/policies.ts';
import { createResourceContext } from '../../../src/pipeline/run.ts';

const identity = {
  account: '111122223333',
  region: 'eu-west-1',
  partition: 'aws',
  arn: 'arn:aws:iam::111122223333:user/me',
};
const ctx = createResourceContext({ clients: { get: async () => assert.fail('no calls') }, name: 'demo', identity });

describe('the AWS resource graph', () => {
  const nodes = awsPipelineGraph(ctx);
  const order = topologicalOrder(nodes).map((n) => n.id);
  const before = (a: NodeId, b: NodeId) => assert.ok(order.indexOf(a) < order.indexOf(b), `${a} before ${b}`);

  it('is a valid DAG covering every resource of the architecture', () => {
    checkGraph(nodes);
    assert.equal(nodes.length, 29);
    assert.ok(!nodes.some((node) => node.name.endsWith('-failures')), 'no topic nothing uses');
    const names = pipelineNames('demo');
    const buckets = bucketNames('demo', identity.account, identity.region);
    const physical = new Set(nodes.map((n) => n.name));
    for (const name of [
      names.stream,
      names.quotesTable,
      names.alertsTable,
      names.ingestFunction,
      names.trendsFunction,
      names.ingestRole,
      names.trendsRole,
      names.alertsTopic,
      names.glueDatabase,
      `${names.glueDatabase}.${names.glueRawTable}`,
      `${names.glueDatabase}.${names.glueRawMonthlyTable}`,
      `${names.glueDatabase}.${names.glueCompactedTable}`,
      `${names.glueDatabase}.${names.glueCompactedMonthlyTable}`,
      `${names.glueDatabase}.${names.glueTable}`,
      names.workgroup,
      names.ingestLogGroup,
      names.trendsLogGroup,
      buckets.raw,
      buckets.results,
      ...Object.values(names.alarms),
    ]) {
      assert.ok(physical.has(name), name);
    }
  });

  it('orders creation as the pitfalls demand', () => {
    before('ingest-log-group', 'ingest-function'); // log group first, with its retention
    before('ingest-role', 'ingest-function');
    before('ingest-role', 'ingest-mapping'); // the policy exists before the mapping
    before('ingest-function', 'ingest-mapping');
    before('stream', 'ingest-mapping');
    before('quotes-table', 'trends-mapping');
    before('raw-bucket', 'ingest-mapping');
    before('raw-bucket', 'trends-mapping');
    before('raw-bucket', 'ingest-function'); // so cleanup stops the writer before emptying the bucket
    before('results-bucket', 'workgroup');
    before('glue-table', 'glue-view'); // the view reads both raw tables
    before('glue-table-monthly', 'glue-view');
  });

  it('cleanup (the reverse order) stops the writers before their sources and stores go', () => {
    const reverse = [...order].reverse();
    const first = (a: NodeId, b: NodeId) =>
      assert.ok(reverse.indexOf(a) < reverse.indexOf(b), `${a} deleted before ${b}`);
    first('ingest-mapping', 'ingest-function');
    first('trends-mapping', 'trends-function');
    first('ingest-mapping', 'stream');
    first('trends-mapping', 'raw-bucket'); // the on-failure destination outlives its writers
    first('ingest-mapping', 'raw-bucket');
    first('ingest-function', 'ingest-log-group'); // Lambda would recreate the group otherwise
    first('ingest-function', 'raw-bucket');
    first('ingest-function', 'ingest-role');
    first('workgroup', 'results-bucket');
    first('glue-view', 'glue-table');
    first('glue-view', 'glue-table-monthly');
    first('glue-table-monthly', 'glue-database');
    first('glue-table', 'glue-database');
    first('alarm-ingest-errors', 'alerts-topic');
  });

  it('policies name every action and scope every resource to this pipeline', () => {
    for (const policy of [ingestPolicy(ctx), trendsPolicy(ctx)]) {
      for (const statement of policy.Statement) {
        for (const action of statement.Action) assert.doesNotMatch(action, /\*/);
        if (statement.Sid === 'ListStreams') {
          // IAM grants ListStreams on "*" only (it names no table): alone in its statement.
          assert.deepEqual([statement.Action, statement.Resource], [['dynamodb:ListStreams'], ['*']]);
          continue;
        }
        for (const resource of statement.Resource) {
          assert.notEqual(resource, '*');
          assert.match(resource, /demo/);
          assert.match(resource, /^arn:aws:/);
        }
      }
    }
    const ingestLogs = ingestPolicy(ctx).Statement.find((s) => s.Action.some((a) => a.startsWith('logs:')));
    assert.ok(ingestLogs?.Resource.every((r) => r.includes('log-group:/aws/lambda/demo-ingest')));
  });
});

describe('stream encryption check', () => {
  it('accepts the AWS-managed key however AWS names it, and nothing unencrypted or another alias', async () => {
    const { usesStreamKey } = await import('../../../src/pipeline/resources/stream.ts');
    assert.equal(usesStreamKey('KMS', 'alias/aws/kinesis'), true);
    assert.equal(usesStreamKey('KMS', 'arn:aws:kms:eu-west-1:111122223333:alias/aws/kinesis'), true);
    assert.equal(usesStreamKey('NONE', undefined), false);
    assert.equal(usesStreamKey('KMS', 'alias/someone-else'), false);
  });
});
