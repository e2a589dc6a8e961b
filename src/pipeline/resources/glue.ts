/**
 * Glue database and the two raw tables, one per folder of the raw lake (src/core/lake.ts):
 * stock_data_raw over raw/ (by date) and stock_data_raw_monthly over raw-months/ (by month). The
 * data contract's columns (snake_case, volume bigint), OpenX JSON SerDe ignoring malformed lines,
 * and partition projection so Athena needs no crawler and no MSCK REPAIR. They are the objects as
 * they are (an observation written twice is there twice); queries name the view over both
 * (glue-view.ts).
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
import {
  COMPACTED_BY_DATE,
  COMPACTED_BY_MONTH,
  COMPACTED_COLUMNS,
  type CompactedFolder,
  glueProjectionRange,
  LAKE_COLUMNS,
  projectionStart,
  RAW_BY_DATE,
  RAW_BY_MONTH,
  type RawFolder,
} from '../../core/lake.ts';
import type { PipelineNames } from '../../core/names.ts';
import { arns } from '../arns.ts';
import { canonicalJson, isNotFound, unlessNotFound } from '../aws-helpers.ts';
import { oldestStoredPartition } from '../lake-partitions.ts';
import { type Change, missing, type Observation, type ResourceContext, type ResourceNode } from '../types.ts';

/** The lake's columns as Glue wants them, from the one definition in src/core/lake.ts. */
export const GLUE_COLUMNS: Column[] = LAKE_COLUMNS.map((column) => ({ Name: column.name, Type: column.glue }));

/** The raw table of one folder, and what it holds. */
export interface RawTable {
  id: 'glue-table' | 'glue-table-monthly';
  kind: string;
  folder: RawFolder;
  /** Its name, from the pipeline's names. */
  name: (names: PipelineNames) => string;
  holds: string;
}

export const RAW_TABLES: readonly RawTable[] = [
  {
    id: 'glue-table',
    kind: 'Glue table (raw lake)',
    folder: RAW_BY_DATE,
    name: (names) => names.glueRawTable,
    holds: 'by date, as written',
  },
  {
    id: 'glue-table-monthly',
    kind: 'Glue table (raw lake by month)',
    folder: RAW_BY_MONTH,
    name: (names) => names.glueRawMonthlyTable,
    holds: 'dated before the day before their arrival (replayed history, late data), by month, as written',
  },
];

/**
 * The raw table of one folder, its projection from `start` (the oldest partition its folder holds,
 * or today's: {@link wantedProjectionStart}).
 */
export function glueTableInput(
  ctx: Pick<ResourceContext, 'name' | 'names' | 'buckets'>,
  table: RawTable,
  start: string,
): TableInput {
  const { folder } = table;
  const root = `s3://${ctx.buckets.raw}/${folder.prefix}/`;
  const partition = folder.partition;
  return {
    Name: table.name(ctx.names),
    Description: `stockpipe ${ctx.name}: validated stock events (gzip NDJSON) under ${root}, ${table.holds}`,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      EXTERNAL: 'TRUE',
      classification: 'json',
      'projection.enabled': 'true',
      [`projection.${partition}.type`]: 'date',
      [`projection.${partition}.format`]: folder.projection.format,
      [`projection.${partition}.range`]: glueProjectionRange(folder, start),
      [`projection.${partition}.interval`]: '1',
      [`projection.${partition}.interval.unit`]: folder.projection.unit,
      'storage.location.template': `${root}${partition}=\${${partition}}/`,
    },
    PartitionKeys: [{ Name: partition, Type: 'string' }],
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
function comparable(table: TableInput, partition: string) {
  const parameters = table.Parameters ?? {};
  const wanted = [
    'classification',
    'projection.enabled',
    ...['type', 'format', 'range', 'interval.unit'].map((key) => `projection.${partition}.${key}`),
    'storage.location.template',
  ];
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

/**
 * Where setup starts a raw table's projection: the folder's oldest stored partition (one S3
 * list), or today (this month) when it holds nothing older — so a new pipeline projects a few
 * partitions, not every day since 1970 (docs/lake.md). Older records coming later widen it
 * (../lake-range.ts).
 */
export async function wantedProjectionStart(ctx: ResourceContext, table: RawTable): Promise<string> {
  const s3 = await ctx.clients.get('s3');
  const oldest = await oldestStoredPartition(s3, ctx.buckets.raw, table.folder);
  return projectionStart(table.folder, oldest, ctx.timing.now());
}

export function glueTableNode(database: string, table: RawTable, names: PipelineNames): ResourceNode {
  const name = table.name(names);
  const partition = table.folder.partition;
  return {
    id: table.id,
    kind: table.kind,
    name: `${database}.${name}`,
    dependsOn: ['glue-database', 'raw-bucket'],
    async describe(ctx): Promise<Observation> {
      const found = await findGlueTable(ctx, database, name);
      if (!found) return missing();
      // Without a spec (status, cleanup) nothing is compared: no lake listing either.
      if (!ctx.spec) return { presence: 'present', arn: arns.glueTable(ctx, database, name), changes: [], notes: [] };
      const want = glueTableInput(ctx, table, await wantedProjectionStart(ctx, table));
      return {
        presence: 'present',
        arn: arns.glueTable(ctx, database, name),
        changes: tableChanges(found as TableInput, want, partition),
        notes: [],
      };
    },
    ensure: async (ctx, observed) =>
      putGlueTable(ctx, database, glueTableInput(ctx, table, await wantedProjectionStart(ctx, table)), observed),
    destroy: (ctx) => deleteGlueTable(ctx, database, name),
  };
}

/** A table (or view) of the Glue database, or undefined when there is none by that name. */
export async function findGlueTable(ctx: ResourceContext, database: string, name: string): Promise<Table | undefined> {
  const glue = await ctx.clients.get('glue');
  const found = await unlessNotFound(
    () => glue.send(new GetTableCommand({ DatabaseName: database, Name: name })),
    undefined,
  );
  return found?.Table;
}

/** Deletes a table (or view) of the Glue database: 'absent' when it was not there. */
export async function deleteGlueTable(
  ctx: ResourceContext,
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

/** A compacted twin of a raw table (src/core/lake.ts CompactedFolder), written by `stockpipe compact`. */
export interface CompactedTable {
  id: 'glue-table-compacted' | 'glue-table-compacted-monthly';
  folder: CompactedFolder;
  name: (names: PipelineNames) => string;
  holds: string;
}

export const COMPACTED_TABLES: readonly CompactedTable[] = [
  {
    id: 'glue-table-compacted',
    folder: COMPACTED_BY_DATE,
    name: (names) => names.glueCompactedTable,
    holds: 'closed days of the raw lake by date',
  },
  {
    id: 'glue-table-compacted-monthly',
    folder: COMPACTED_BY_MONTH,
    name: (names) => names.glueCompactedMonthlyTable,
    holds: 'closed months of the raw lake by month',
  },
];

const PARQUET_FORMAT = {
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: {} },
};

/**
 * A compacted table: Parquet, the lake's columns and `object_name`, partitioned like its raw twin.
 * No partition projection: Athena's `INSERT INTO` (which `compact` runs) registers the partitions it
 * writes in Glue, and a query's `dt` predicate prunes them as it prunes a projection.
 */
export function glueCompactedTableInput(
  ctx: Pick<ResourceContext, 'name' | 'names' | 'buckets'>,
  table: CompactedTable,
): TableInput {
  const root = `s3://${ctx.buckets.raw}/${table.folder.prefix}/`;
  return {
    Name: table.name(ctx.names),
    Description: `stockpipe ${ctx.name}: ${table.holds}, rewritten into Parquet by stockpipe compact under ${root}`,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { EXTERNAL: 'TRUE', classification: 'parquet' },
    PartitionKeys: [{ Name: table.folder.partition, Type: 'string' }],
    StorageDescriptor: {
      Columns: COMPACTED_COLUMNS.map((column) => ({ Name: column.name, Type: column.glue })),
      Location: root,
      ...PARQUET_FORMAT,
    },
  };
}

export function glueCompactedTableNode(database: string, table: CompactedTable, names: PipelineNames): ResourceNode {
  const name = table.name(names);
  return {
    id: table.id,
    kind: 'Glue table (compacted lake)',
    name: `${database}.${name}`,
    dependsOn: ['glue-database', 'raw-bucket'],
    async describe(ctx): Promise<Observation> {
      const found = await findGlueTable(ctx, database, name);
      if (!found) return missing();
      const arn = arns.glueTable(ctx, database, name);
      if (!ctx.spec) return { presence: 'present', arn, changes: [], notes: [] };
      const changes = tableChanges(found as TableInput, glueCompactedTableInput(ctx, table), table.folder.partition);
      return { presence: 'present', arn, changes, notes: [] };
    },
    // UpdateTable keeps the partitions compact registered.
    ensure: (ctx, observed) => putGlueTable(ctx, database, glueCompactedTableInput(ctx, table), observed),
    destroy: (ctx) => deleteGlueTable(ctx, database, name),
  };
}

/** The parts of a table's definition we own that differ from what we want. */
function tableChanges(found: TableInput, wanted: TableInput, partition: string): Change[] {
  const have = comparable(found, partition);
  const want = comparable(wanted, partition);
  return Object.keys(want)
    .filter((key) => canonicalJson(have[key as keyof typeof have]) !== canonicalJson(want[key as keyof typeof want]))
    .map((part): Change => ({ field: 'tableDefinition', part }));
}

/** Creates the table, or replaces its definition (its partitions stay). */
async function putGlueTable(
  ctx: ResourceContext,
  database: string,
  TableInput: TableInput,
  observed: Observation,
): Promise<{ action: 'created' | 'updated'; arn: string }> {
  const glue = await ctx.clients.get('glue');
  const arn = arns.glueTable(ctx, database, TableInput.Name as string);
  if (observed.presence === 'missing') {
    await glue.send(new CreateTableCommand({ DatabaseName: database, TableInput }));
    return { action: 'created', arn };
  }
  await glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput }));
  return { action: 'updated', arn };
}
