/**
 * Glue database and the raw table, stock_data_raw, over raw/: the data contract's columns
 * (snake_case, volume bigint), OpenX JSON SerDe ignoring malformed lines, and partition projection
 * on dt so Athena needs no crawler and no MSCK REPAIR. It is the objects as they are (an
 * observation written twice is there twice); queries name the view over it (glue-view.ts).
 */
import {
  type Column,
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteDatabaseCommand,
  DeleteTableCommand,
  GetDatabaseCommand,
  GetTableCommand,
  type Table,
  type TableInput,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { glueProjectionRange, LAKE_COLUMNS, LAKE_PARTITION } from '../../core/lake.ts';
import { arns } from '../arns.ts';
import { canonicalJson, isNotFound, unlessNotFound } from '../aws-helpers.ts';
import { missing, type Observation, type PipelineContext, type ResourceNode } from '../types.ts';

/** The lake's columns as Glue wants them, from the one definition in src/core/lake.ts. */
export const GLUE_COLUMNS: Column[] = LAKE_COLUMNS.map((column) => ({ Name: column.name, Type: column.glue }));

export function glueTableInput(ctx: PipelineContext): TableInput {
  const root = `s3://${ctx.buckets.raw}/raw/`;
  return {
    Name: ctx.names.glueRawTable,
    Description: `stockpipe ${ctx.name}: validated stock events (gzip NDJSON) under ${root}, as written`,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      EXTERNAL: 'TRUE',
      classification: 'json',
      'projection.enabled': 'true',
      [`projection.${LAKE_PARTITION}.type`]: 'date',
      [`projection.${LAKE_PARTITION}.format`]: 'yyyy-MM-dd',
      [`projection.${LAKE_PARTITION}.range`]: glueProjectionRange(),
      [`projection.${LAKE_PARTITION}.interval`]: '1',
      [`projection.${LAKE_PARTITION}.interval.unit`]: 'DAYS',
      'storage.location.template': `${root}${LAKE_PARTITION}=\${${LAKE_PARTITION}}/`,
    },
    PartitionKeys: [{ Name: LAKE_PARTITION, Type: 'string' }],
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
    kind: 'Glue table (raw lake)',
    name: `${database}.${name}`,
    dependsOn: ['glue-database', 'raw-bucket'],
    async describe(ctx): Promise<Observation> {
      const found = await findGlueTable(ctx, database, name);
      if (!found) return missing();
      const have = comparable(found as TableInput);
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
    destroy: (ctx) => deleteGlueTable(ctx, database, name),
  };
}

/** A table (or view) of the Glue database, or undefined when there is none by that name. */
export async function findGlueTable(ctx: PipelineContext, database: string, name: string): Promise<Table | undefined> {
  const glue = await ctx.clients.get('glue');
  const found = await unlessNotFound(
    () => glue.send(new GetTableCommand({ DatabaseName: database, Name: name })),
    undefined,
  );
  return found?.Table;
}

/** Deletes a table (or view) of the Glue database: 'absent' when it was not there. */
export async function deleteGlueTable(
  ctx: PipelineContext,
  database: string,
  name: string,
): Promise<'deleted' | 'absent'> {
  const glue = await ctx.clients.get('glue');
  try {
    await glue.send(new DeleteTableCommand({ DatabaseName: database, Name: name }));
    return 'deleted';
  } catch (error) {
    if (isNotFound(error)) return 'absent';
    throw error;
  }
}
