/**
 * The raw tables' partition projection, sized to the data (docs/lake.md): each range starts at the
 * oldest partition its folder holds, and is widened — never narrowed — here when older records are
 * about to be written (`stream --source replay`) or are found stored (`query` on AWS, so records
 * from any producer are seen). One S3 list per folder finds the oldest partition; a table is
 * updated only when its range misses stored (or coming) records.
 */
import type { GlueClient, Table, TableInput } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { projectionRangeStart, type RawFolder } from '../core/lake.ts';
import type { PipelineNames } from '../core/names.ts';
import { isNotFound } from './aws-helpers.ts';
import { oldestStoredPartition } from './lake-partitions.ts';
import { RAW_TABLES, type RawTable } from './resources/glue.ts';

/** A raw table whose range was widened: from → to (its new start). */
export interface Widening {
  table: string;
  from: string;
  to: string;
}

export interface LakeTablesDeps {
  glue: GlueClient;
  s3: S3Client;
  database: string;
  names: PipelineNames;
}

/**
 * Widens each raw table whose range starts after the start `needed` gives its folder (absent:
 * that folder needs nothing). Only our own ranges are touched; a table that is missing is left to
 * setup.
 */
export async function widenProjection(
  deps: LakeTablesDeps,
  needed: ReadonlyMap<RawFolder, string>,
): Promise<Widening[]> {
  const tables = RAW_TABLES.filter((table) => needed.has(table.folder));
  const found = await Promise.all(tables.map((table) => readTable(deps, table)));
  const widenings = await Promise.all(
    tables.map((table, i) => widen(deps, table, found[i], needed.get(table.folder) as string)),
  );
  return widenings.filter((widening) => widening !== undefined);
}

/**
 * Before a query: each raw table's range against its folder's oldest stored partition (two S3
 * lists, two GetTable), widened when records older than the range are stored — a producer
 * other than `stream` may have sent history.
 */
export async function coverStoredRecords(deps: LakeTablesDeps): Promise<Widening[]> {
  const found = await Promise.all(RAW_TABLES.map((table) => readTable(deps, table)));
  const widenings = await Promise.all(
    RAW_TABLES.map(async (table, i) => {
      const bucket = bucketOf(found[i]);
      if (!bucket) return undefined;
      const oldest = await oldestStoredPartition(deps.s3, bucket, table.folder);
      return oldest === undefined ? undefined : widen(deps, table, found[i], oldest);
    }),
  );
  return widenings.filter((widening) => widening !== undefined);
}

async function readTable(deps: LakeTablesDeps, table: RawTable): Promise<Table | undefined> {
  const { GetTableCommand } = await import('@aws-sdk/client-glue');
  try {
    return (await deps.glue.send(new GetTableCommand({ DatabaseName: deps.database, Name: table.name(deps.names) })))
      .Table;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** `s3://bucket/raw/` → bucket. */
function bucketOf(found: Table | undefined): string | undefined {
  return /^s3:\/\/([^/]+)\//.exec(found?.StorageDescriptor?.Location ?? '')?.[1];
}

async function widen(
  deps: LakeTablesDeps,
  table: RawTable,
  found: Table | undefined,
  needed: string,
): Promise<Widening | undefined> {
  const key = `projection.${table.folder.partition}.range`;
  const range = found?.Parameters?.[key];
  const start = projectionRangeStart(table.folder, range);
  if (!found || range === undefined || start === undefined || needed >= start) return undefined;
  const { UpdateTableCommand } = await import('@aws-sdk/client-glue');
  const TableInput: TableInput = {
    ...tableInputOf(found),
    Parameters: { ...found.Parameters, [key]: `${needed}${range.slice(start.length)}` },
  };
  await deps.glue.send(new UpdateTableCommand({ DatabaseName: deps.database, TableInput }));
  return { table: table.name(deps.names), from: start, to: needed };
}

/** What GetTable returns, as UpdateTable takes it back: the table's own definition, nothing Glue adds. */
function tableInputOf(table: Table): TableInput {
  const { Name, Description, Owner, Retention, StorageDescriptor, PartitionKeys, TableType, Parameters } = table;
  return {
    Name,
    ...(Description !== undefined ? { Description } : {}),
    ...(Owner !== undefined ? { Owner } : {}),
    ...(Retention !== undefined ? { Retention } : {}),
    ...(StorageDescriptor !== undefined ? { StorageDescriptor } : {}),
    ...(PartitionKeys !== undefined ? { PartitionKeys } : {}),
    ...(TableType !== undefined ? { TableType } : {}),
    ...(Parameters !== undefined ? { Parameters } : {}),
  };
}
