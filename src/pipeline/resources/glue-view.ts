/**
 * `stock_data_table`, the name every query uses, as an Athena view over the raw tables: one row per
 * observation (symbol, timestamp), the latest write's, by the rule of src/core/lake.ts that the
 * local DuckDB view follows too. Written with Glue CreateTable/UpdateTable in the encoding Athena
 * uses for its own views (presto-view.ts). A `stock_data_table` that is still a table (the raw
 * table under that name, from earlier versions) is replaced by the view.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  type Table,
  type TableInput,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import {
  LAKE_VIEW_COLUMNS,
  type LakeSource,
  latestObservationsSql,
  OBJECT_NAME_COLUMN,
  objectNameOf,
} from '../../core/lake.ts';
import type { PipelineNames } from '../../core/names.ts';
import { arns } from '../arns.ts';
import { canonicalJson } from '../aws-helpers.ts';
import {
  ATHENA_CATALOG,
  decodePrestoView,
  encodePrestoView,
  PRESTO_VIEW_EXPANDED_TEXT,
  PRESTO_VIEW_PARAMETERS,
  type PrestoViewDefinition,
} from '../presto-view.ts';
import {
  type Change,
  changesOf,
  missing,
  type Observation,
  type ResourceContext,
  type ResourceNode,
} from '../types.ts';
import { COMPACTED_TABLES, deleteGlueTable, findGlueTable, RAW_TABLES } from './glue.ts';

const VIEW_TYPE = 'VIRTUAL_VIEW';
/**
 * The view's owner. Its definition is SECURITY DEFINER (runAsInvoker false, as Athena's own views
 * are), and Trino — Athena engine 3 — refuses a definer view with no owner to run as ("Run-as
 * identity must be set for a run-as definer view"). On Athena who may read the tables is IAM's
 * business, not this name's; a constant, so a setup run by someone else shows no drift.
 */
export const VIEW_OWNER = 'stockpipe';

/** The view's SQL: the raw tables (resolved in the view's own database), one row per observation. */
export function lakeViewDefinition(database: string, names: PipelineNames): PrestoViewDefinition {
  const sources: LakeSource[] = [
    ...RAW_TABLES.map((table) => ({
      from: `"${table.name(names)}"`,
      dt: table.folder.dtSql,
      objectName: objectNameOf('"$path"'),
    })),
    // Compacted rows rank by the raw object they came from (compact keeps its name).
    ...COMPACTED_TABLES.map((table) => ({
      from: `"${table.name(names)}"`,
      dt: table.folder.dtSql,
      objectName: OBJECT_NAME_COLUMN,
    })),
  ];
  return {
    originalSql: latestObservationsSql(sources),
    catalog: ATHENA_CATALOG,
    schema: database,
    columns: LAKE_VIEW_COLUMNS.map((column) => ({ name: column.name, type: column.presto })),
    runAsInvoker: false,
    path: [],
  };
}

export function glueViewInput(ctx: Pick<ResourceContext, 'name' | 'names'>): TableInput {
  const { glueDatabase, glueTable, glueRawTable, glueRawMonthlyTable, glueCompactedTable, glueCompactedMonthlyTable } =
    ctx.names;
  return {
    Name: glueTable,
    Description: `stockpipe ${ctx.name}: ${glueRawTable}, ${glueRawMonthlyTable} and their compacted twins ${glueCompactedTable}, ${glueCompactedMonthlyTable}, one row per observation (symbol, timestamp), the latest write's`,
    TableType: VIEW_TYPE,
    Owner: VIEW_OWNER,
    Parameters: { ...PRESTO_VIEW_PARAMETERS },
    ViewOriginalText: encodePrestoView(lakeViewDefinition(glueDatabase, ctx.names)),
    ViewExpandedText: PRESTO_VIEW_EXPANDED_TEXT,
    PartitionKeys: [],
    StorageDescriptor: {
      Columns: LAKE_VIEW_COLUMNS.map((column) => ({ Name: column.name, Type: column.glue })),
      SerdeInfo: {},
    },
  };
}

/** How a table found under the view's name differs from the view we want (empty: it is ours). */
export function viewDifferences(found: Table | TableInput, want: TableInput): Change[] {
  if (found.TableType !== VIEW_TYPE) return [{ field: 'tableType', from: found.TableType }];
  const changes: Change[] = [];
  if (found.Owner !== want.Owner) changes.push({ field: 'view', part: 'owner' });
  const parameters = found.Parameters ?? {};
  if (Object.entries(PRESTO_VIEW_PARAMETERS).some(([key, value]) => parameters[key] !== value)) {
    changes.push({ field: 'view', part: 'parameters' });
  }
  const definition = decodePrestoView(found.ViewOriginalText);
  if (
    found.ViewExpandedText !== want.ViewExpandedText ||
    canonicalJson(definition) !== canonicalJson(decodePrestoView(want.ViewOriginalText))
  ) {
    changes.push({ field: 'view', part: 'definition' });
  }
  const columns = (table: Table | TableInput) =>
    (table.StorageDescriptor?.Columns ?? []).map((column) => `${column.Name}:${column.Type}`);
  if (canonicalJson(columns(found)) !== canonicalJson(columns(want))) changes.push({ field: 'view', part: 'columns' });
  return changes;
}

export function glueViewNode(database: string, name: string): ResourceNode {
  return {
    id: 'glue-view',
    kind: 'Glue view',
    name: `${database}.${name}`,
    // The raw tables are created before the view that reads them, and deleted after.
    dependsOn: ['glue-database', ...[...RAW_TABLES, ...COMPACTED_TABLES].map((table) => table.id)],
    async describe(ctx): Promise<Observation> {
      const found = await findGlueTable(ctx, database, name);
      if (!found) return missing();
      const changes = viewDifferences(found, glueViewInput(ctx));
      // Without a spec (status) a view that is not ours still shows: queries may count doubles.
      return {
        presence: changes.length > 0 && !ctx.spec ? 'degraded' : 'present',
        arn: arns.glueTable(ctx, database, name),
        changes: ctx.spec ? changes : [],
        notes: ctx.spec ? [] : changes.map((change) => ({ note: 'differs', change })),
      };
    },
    async ensure(ctx, observed) {
      const glue = await ctx.clients.get('glue');
      const arn = arns.glueTable(ctx, database, name);
      const TableInput = glueViewInput(ctx);
      if (observed.presence === 'missing') {
        await glue.send(new CreateTableCommand({ DatabaseName: database, TableInput }));
        return { action: 'created', arn };
      }
      if (changesOf(observed.changes, 'tableType').length > 0) {
        // A table becomes a view by replacement (delete, then create): we do not rely on
        // UpdateTable changing what kind of table it is, or dropping its partition keys.
        await glue.send(new DeleteTableCommand({ DatabaseName: database, Name: name }));
        await glue.send(new CreateTableCommand({ DatabaseName: database, TableInput }));
        return { action: 'updated', arn };
      }
      await glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput }));
      return { action: 'updated', arn };
    },
    destroy: (ctx) => deleteGlueTable(ctx, database, name),
  };
}
