/**
 * Glue database and the stock_data_table over raw/: the data contract's columns (snake_case,
 * volume bigint), OpenX JSON SerDe ignoring malformed lines, and partition projection on dt so
 * Athena needs no crawler and no MSCK REPAIR.
 */
import {
  type Column,
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteDatabaseCommand,
  DeleteTableCommand,
  GetDatabaseCommand,
  GetTableCommand,
  type TableInput,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { arns } from '../arns.ts';
import { canonicalJson, isNotFound, unlessNotFound } from '../aws-helpers.ts';
import { missing, type Observation, type PipelineContext, type ResourceNode } from '../types.ts';

/** First day the projection covers: stable, so setup stays idempotent (replayed history fits). */
export const PROJECTION_START = '2020-01-01';

export const GLUE_COLUMNS: Column[] = [
  { Name: 'event_id', Type: 'string' },
  { Name: 'symbol', Type: 'string' },
  { Name: 'timestamp', Type: 'string' },
  { Name: 'price', Type: 'double' },
  { Name: 'open', Type: 'double' },
  { Name: 'high', Type: 'double' },
  { Name: 'low', Type: 'double' },
  { Name: 'previous_close', Type: 'double' },
  { Name: 'change', Type: 'double' },
  { Name: 'change_percent', Type: 'double' },
  { Name: 'volume', Type: 'bigint' },
  { Name: 'currency', Type: 'string' },
  { Name: 'market_state', Type: 'string' },
  { Name: 'source', Type: 'string' },
];

export function glueTableInput(ctx: PipelineContext): TableInput {
  const root = `s3://${ctx.buckets.raw}/raw/`;
  return {
    Name: ctx.names.glueTable,
    Description: `stockpipe ${ctx.name}: validated stock events (gzip NDJSON) under ${root}`,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      EXTERNAL: 'TRUE',
      classification: 'json',
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': `${PROJECTION_START},NOW`,
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'storage.location.template': `${root}dt=\${dt}/`,
    },
    PartitionKeys: [{ Name: 'dt', Type: 'string' }],
    StorageDescriptor: {
      Columns: GLUE_COLUMNS,
      Location: root,
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      Compressed: true,
      SerdeInfo: {
        SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
        Parameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' },
      },
    },
  };
}

export function glueDatabaseNode(name: string): ResourceNode {
  return {
    id: 'glue-database',
    kind: 'Glue database',
    name,
    dependsOn: [],
    async describe(ctx): Promise<Observation> {
      const glue = await ctx.clients.get('glue');
      const found = await unlessNotFound(() => glue.send(new GetDatabaseCommand({ Name: name })), undefined);
      return found?.Database
        ? { presence: 'present', arn: arns.glueDatabase(ctx, name), changes: [], notes: [] }
        : missing();
    },
    async ensure(ctx, observed) {
      if (observed.presence !== 'missing') return { action: 'unchanged', arn: arns.glueDatabase(ctx, name) };
      const glue = await ctx.clients.get('glue');
      await glue.send(
        new CreateDatabaseCommand({
          DatabaseInput: { Name: name, Description: `stockpipe ${ctx.name}: the raw stock lake` },
          Tags: ctx.tags,
        }),
      );
      return { action: 'created', arn: arns.glueDatabase(ctx, name) };
    },
    async destroy(ctx) {
      const glue = await ctx.clients.get('glue');
      try {
        await glue.send(new DeleteDatabaseCommand({ Name: name }));
        return 'deleted';
      } catch (error) {
        if (isNotFound(error)) return 'absent';
        throw error;
      }
    },
  };
}

/** The parts of a table definition we own, for comparison. */
function comparable(table: TableInput) {
  const parameters = table.Parameters ?? {};
  const wanted = Object.keys(glueTableInputKeys);
  return {
    columns: (table.StorageDescriptor?.Columns ?? []).map((column) => `${column.Name}:${column.Type}`),
    partitions: (table.PartitionKeys ?? []).map((column) => `${column.Name}:${column.Type}`),
    parameters: Object.fromEntries(wanted.map((key) => [key, parameters[key]])),
    location: table.StorageDescriptor?.Location,
    serde: table.StorageDescriptor?.SerdeInfo?.SerializationLibrary,
    serdeParameters: table.StorageDescriptor?.SerdeInfo?.Parameters ?? {},
    input: table.StorageDescriptor?.InputFormat,
  };
}
const glueTableInputKeys = {
  classification: 1,
  'projection.enabled': 1,
  'projection.dt.type': 1,
  'projection.dt.format': 1,
  'projection.dt.range': 1,
  'storage.location.template': 1,
};

export function glueTableNode(database: string, name: string): ResourceNode {
  return {
    id: 'glue-table',
    kind: 'Glue table',
    name: `${database}.${name}`,
    dependsOn: ['glue-database', 'raw-bucket'],
    async describe(ctx): Promise<Observation> {
      const glue = await ctx.clients.get('glue');
      const found = await unlessNotFound(
        () => glue.send(new GetTableCommand({ DatabaseName: database, Name: name })),
        undefined,
      );
      if (!found?.Table) return missing();
      const have = comparable(found.Table as TableInput);
      const want = comparable(glueTableInput(ctx));
      const changes = Object.keys(want)
        .filter(
          (key) => canonicalJson(have[key as keyof typeof have]) !== canonicalJson(want[key as keyof typeof want]),
        )
        .map((key) => `table ${key}`);
      return {
        presence: 'present',
        arn: arns.glueTable(ctx, database, name),
        changes: ctx.spec ? changes : [],
        notes: [],
      };
    },
    async ensure(ctx, observed) {
      const glue = await ctx.clients.get('glue');
      const TableInput = glueTableInput(ctx);
      if (observed.presence === 'missing') {
        await glue.send(new CreateTableCommand({ DatabaseName: database, TableInput }));
        return { action: 'created', arn: arns.glueTable(ctx, database, name) };
      }
      await glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput }));
      return { action: 'updated', arn: arns.glueTable(ctx, database, name) };
    },
    async destroy(ctx) {
      const glue = await ctx.clients.get('glue');
      try {
        await glue.send(new DeleteTableCommand({ DatabaseName: database, Name: name }));
        return 'deleted';
      } catch (error) {
        if (isNotFound(error)) return 'absent';
        throw error;
      }
    },
  };
}
