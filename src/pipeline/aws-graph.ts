/**
 * The AWS pipeline as a resource graph (docs/architecture.md: Data flow; Layers, src/pipeline).
 * Node ids are the contract: another target (local) can provide its own implementation of the
 * same ids.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HANDLER_DEFAULTS, ingestEnv, trendsEnv } from '../core/handler-env.ts';
import type { PipelineNames } from '../core/names.ts';
import { DEFAULT_CROSSOVER } from '../core/strategies/index.ts';
import { ALERTS_KEY, ALERTS_TTL_ATTRIBUTE, QUOTES_KEY, QUOTES_TTL_ATTRIBUTE } from '../core/tables.ts';
import { LAMBDA_DEFINITIONS } from '../packaging/lambda-definition.ts';
import { pipelineAlarms } from './alarms.ts';
import { arns } from './arns.ts';
import { unlessNotFound } from './aws-helpers.ts';
import { DEFAULT_LOG_RETENTION_DAYS } from './log-retention.ts';
import { ingestPolicy, trendsPolicy } from './policies.ts';
import { alarmNode } from './resources/alarm.ts';
import { bucketNode, RESULTS_EXPIRY_DAYS } from './resources/bucket.ts';
import { functionNode } from './resources/function.ts';
import {
  COMPACTED_TABLES,
  glueCompactedTableNode,
  glueDatabaseNode,
  glueTableNode,
  RAW_TABLES,
} from './resources/glue.ts';
import { glueViewNode } from './resources/glue-view.ts';
import { logGroupNode } from './resources/log-group.ts';
import { INSERT_ONLY_FILTER, MAPPING_BATCH_SIZES, mappingNode } from './resources/mapping.ts';
import { roleNode } from './resources/role.ts';
import { streamNode } from './resources/stream.ts';
import { type TableOptions, tableNode } from './resources/table.ts';
import { emailSubscriptionsNode, topicNode } from './resources/topic.ts';
import { workgroupNode } from './resources/workgroup.ts';
import type { DesiredSettings, ResourceContext, ResourceNode } from './types.ts';

export const DEFAULT_SPEC: DesiredSettings = {
  emails: [],
  strategy: { name: 'crossover', ...DEFAULT_CROSSOVER },
  language: HANDLER_DEFAULTS.language,
  logRetentionDays: DEFAULT_LOG_RETENTION_DAYS,
  anomalyThresholdPct: HANDLER_DEFAULTS.anomalyThresholdPct,
  anomalyAlerts: HANDLER_DEFAULTS.anomalyAlerts,
  ttlDays: HANDLER_DEFAULTS.ttlDays,
  cooldownMinutes: HANDLER_DEFAULTS.cooldownMinutes,
  staleMinutes: HANDLER_DEFAULTS.staleMinutes,
};

/** The ingest function's environment for the spec (shared with the local target). */
export function ingestEnvironment(c: Pick<ResourceContext, 'names' | 'buckets' | 'spec'>): Record<string, string> {
  const spec = c.spec ?? DEFAULT_SPEC;
  return ingestEnv({
    quotesTable: c.names.quotesTable,
    rawBucket: c.buckets.raw,
    anomalyThresholdPct: spec.anomalyThresholdPct,
    ttlDays: spec.ttlDays,
  });
}

/** The trends function's environment for the spec; an empty topic means "record alerts only". */
export function trendsEnvironment(
  c: Pick<ResourceContext, 'names' | 'spec'>,
  alertsTopicArn: string,
): Record<string, string> {
  const spec = c.spec ?? DEFAULT_SPEC;
  return trendsEnv({
    quotesTable: c.names.quotesTable,
    alertsTable: c.names.alertsTable,
    alertsTopicArn,
    strategy: spec.strategy,
    cooldownMinutes: spec.cooldownMinutes,
    staleMinutes: spec.staleMinutes,
    language: spec.language,
    anomalyAlerts: spec.anomalyAlerts,
    anomalyThresholdPct: spec.anomalyThresholdPct,
  });
}

async function quotesStreamArn(ctx: ResourceContext): Promise<string | undefined> {
  const dynamodb = await ctx.clients.get('dynamodb');
  const table = await unlessNotFound(
    () => dynamodb.send(new DescribeTableCommand({ TableName: ctx.names.quotesTable })),
    undefined,
  );
  return table?.Table?.LatestStreamArn;
}

/** The pipeline's two tables: keys, TTL attribute, and the stream the trends function reads (local reuses them). */
export function pipelineTables(names: PipelineNames): Record<'quotes' | 'alerts', TableOptions> {
  return {
    quotes: {
      id: 'quotes-table',
      kind: 'DynamoDB table',
      name: names.quotesTable,
      key: QUOTES_KEY,
      ttlAttribute: QUOTES_TTL_ATTRIBUTE,
      stream: 'NEW_IMAGE',
    },
    alerts: {
      id: 'alerts-table',
      kind: 'DynamoDB table',
      name: names.alertsTable,
      key: ALERTS_KEY,
      ttlAttribute: ALERTS_TTL_ATTRIBUTE,
    },
  };
}

export function awsPipelineGraph(ctx: Pick<ResourceContext, 'name' | 'names' | 'buckets'>): ResourceNode[] {
  const { names, buckets } = ctx;
  const tables = pipelineTables(names);
  return [
    streamNode(names.stream),
    bucketNode({ id: 'raw-bucket', kind: 'S3 bucket (raw lake)', name: buckets.raw }),
    bucketNode({
      id: 'results-bucket',
      kind: 'S3 bucket (query results)',
      name: buckets.results,
      expireAfterDays: RESULTS_EXPIRY_DAYS,
    }),
    tableNode(tables.quotes),
    tableNode(tables.alerts),
    topicNode('alerts-topic', 'SNS topic (alerts)', names.alertsTopic, [names.legacyFailuresTopic]),
    emailSubscriptionsNode('alerts-topic', names.alertsTopic),
    logGroupNode('ingest-log-group', names.ingestLogGroup),
    logGroupNode('trends-log-group', names.trendsLogGroup),
    roleNode('ingest-role', names.ingestRole, ingestPolicy),
    roleNode('trends-role', names.trendsRole, trendsPolicy),
    functionNode({
      id: 'ingest-function',
      fn: 'ingest',
      name: names.ingestFunction,
      roleName: names.ingestRole,
      // Writers depend on what they write to, so cleanup removes them before emptying buckets.
      dependsOn: ['ingest-role', 'ingest-log-group', 'raw-bucket', 'quotes-table'],
      timeoutSeconds: LAMBDA_DEFINITIONS.ingest.timeoutSeconds,
      memoryMb: LAMBDA_DEFINITIONS.ingest.memoryMb,
      environment: (c) => ingestEnvironment(c),
    }),
    functionNode({
      id: 'trends-function',
      fn: 'trends',
      name: names.trendsFunction,
      roleName: names.trendsRole,
      dependsOn: ['trends-role', 'trends-log-group', 'quotes-table', 'alerts-table', 'alerts-topic'],
      timeoutSeconds: LAMBDA_DEFINITIONS.trends.timeoutSeconds,
      memoryMb: LAMBDA_DEFINITIONS.trends.memoryMb,
      environment: (c) => trendsEnvironment(c, arns.topic(c, c.names.alertsTopic)),
    }),
    mappingNode({
      id: 'ingest-mapping',
      kind: 'Kinesis mapping',
      functionName: names.ingestFunction,
      batchSize: MAPPING_BATCH_SIZES.ingest,
      // Records given up on are kept whole in the raw bucket (Lambda writes them under aws/lambda/).
      dependsOn: ['ingest-function', 'stream', 'raw-bucket'],
      sourceArn: async (c) => arns.stream(c, c.names.stream),
      onFailureArn: (c) => arns.bucket(c, c.buckets.raw),
    }),
    mappingNode({
      id: 'trends-mapping',
      kind: 'DynamoDB stream mapping',
      functionName: names.trendsFunction,
      batchSize: MAPPING_BATCH_SIZES.trends,
      dependsOn: ['trends-function', 'quotes-table', 'raw-bucket'],
      sourceArn: quotesStreamArn,
      onFailureArn: (c) => arns.bucket(c, c.buckets.raw),
      filter: INSERT_ONLY_FILTER,
    }),
    glueDatabaseNode(names.glueDatabase),
    ...RAW_TABLES.map((table) => glueTableNode(names.glueDatabase, table, names)),
    ...COMPACTED_TABLES.map((table) => glueCompactedTableNode(names.glueDatabase, table, names)),
    glueViewNode(names.glueDatabase, names.glueTable),
    workgroupNode(names.workgroup, names.legacyWorkgroup),
    ...pipelineAlarms(ctx.name, names).map((alarm) => alarmNode(alarm, names.alertsTopic)),
  ];
}
