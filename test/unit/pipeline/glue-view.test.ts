import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LAKE_COLUMNS, LAKE_VIEW_COLUMNS } from '../../../src/core/lake.ts';
import { pipelineNames } from '../../../src/core/names.ts';
import { decodePrestoView, encodePrestoView } from '../../../src/pipeline/presto-view.ts';
import { renderChanges } from '../../../src/pipeline/render.ts';
import { glueTableInput, RAW_TABLES, type RawTable } from '../../../src/pipeline/resources/glue.ts';
import { glueViewInput, lakeViewDefinition, viewDifferences } from '../../../src/pipeline/resources/glue-view.ts';

const ctx = { name: 'demo-x', names: pipelineNames('demo-x'), buckets: { raw: 'demo-x-raw', results: 'r' } };

describe('stock_data_table on AWS: a Glue view in the encoding Athena uses for its own views', () => {
  const view = glueViewInput(ctx);

  it('is a Presto view: VIRTUAL_VIEW, the presto_view parameters and the expanded-text marker', () => {
    assert.equal(view.Name, 'stock_data_table');
    assert.equal(view.TableType, 'VIRTUAL_VIEW');
    assert.deepEqual(view.Parameters, { presto_view: 'true', comment: 'Presto View' });
    assert.equal(view.ViewExpandedText, '/* Presto View */');
    assert.match(view.ViewOriginalText ?? '', /^\/\* Presto View: [A-Za-z0-9+/]+=* \*\/$/);
    assert.deepEqual(view.PartitionKeys, []);
    // A definer view (runAsInvoker false) needs an owner to run as: Trino refuses one without.
    assert.equal(view.Owner, 'stockpipe');
  });

  it('decodes to the definition: catalog, the database, the columns with Presto types, the SQL', () => {
    const decoded = JSON.parse(
      Buffer.from((view.ViewOriginalText ?? '').slice('/* Presto View: '.length, -' */'.length), 'base64').toString(
        'utf8',
      ),
    );
    assert.equal(decoded.catalog, 'awsdatacatalog');
    assert.equal(decoded.schema, 'demo_x', 'the Glue database (hyphens replaced)');
    assert.equal(decoded.runAsInvoker, false);
    assert.deepEqual(decoded.path, []);
    assert.deepEqual(decoded.columns, [
      ...LAKE_COLUMNS.map((column) => ({ name: column.name, type: column.presto })),
      { name: 'dt', type: 'varchar' },
    ]);
    assert.equal(decoded.columns.find((c: { name: string }) => c.name === 'volume').type, 'bigint');
    assert.equal(decoded.columns.find((c: { name: string }) => c.name === 'price').type, 'double');
    // One row per (symbol, timestamp) from both raw tables, the greatest object name winning; dt in
    // the window's partition so a dt predicate prunes partitions through the view.
    assert.match(
      decoded.originalSql,
      /"dt" AS "dt", regexp_extract\("\$path", '\[\^\/\]\+\$'\) AS object_name FROM "stock_data_raw" WHERE "symbol" IS NOT NULL AND "timestamp" IS NOT NULL$/m,
    );
    assert.match(decoded.originalSql, /^ +UNION ALL$/m);
    assert.match(
      decoded.originalSql,
      /substr\("timestamp", 1, 10\) AS "dt", regexp_extract\("\$path", '\[\^\/\]\+\$'\) AS object_name FROM "stock_data_raw_monthly" WHERE "symbol" IS NOT NULL AND "timestamp" IS NOT NULL$/m,
    );
    assert.match(
      decoded.originalSql,
      /row_number\(\) OVER \(PARTITION BY "symbol", "timestamp", "dt" ORDER BY object_name DESC\)/,
    );
    assert.match(decoded.originalSql, /WHERE observation_rank = 1$/);
    assert.deepEqual(decodePrestoView(view.ViewOriginalText), decoded);
  });

  it('declares the same columns in Glue (Hive types) as in the definition', () => {
    assert.deepEqual(
      view.StorageDescriptor?.Columns,
      LAKE_VIEW_COLUMNS.map((column) => ({ Name: column.name, Type: column.glue })),
    );
    const raw = glueTableInput(ctx, RAW_TABLES[0] as RawTable, '2026-11-01');
    assert.deepEqual(
      view.StorageDescriptor?.Columns,
      [...(raw.StorageDescriptor?.Columns ?? []), ...(raw.PartitionKeys ?? [])],
      'the raw table’s columns and partition, in order',
    );
  });

  it('round-trips through the codec; anything else decodes to nothing', () => {
    const definition = lakeViewDefinition('db', pipelineNames('db'));
    assert.deepEqual(decodePrestoView(encodePrestoView(definition)), definition);
    assert.equal(decodePrestoView(undefined), undefined);
    assert.equal(decodePrestoView('SELECT 1'), undefined);
    assert.equal(decodePrestoView('/* Presto View: !!! */'), undefined);
    assert.equal(decodePrestoView(`/* Presto View: ${Buffer.from('[1]').toString('base64')} */`), undefined);
  });
});

describe('view drift', () => {
  const want = glueViewInput(ctx);
  /** The differences as status and the plan word them. */
  const worded = (found: Parameters<typeof viewDifferences>[0]) => renderChanges(viewDifferences(found, want));

  it('our own view, read back with its keys in another order, has no differences', () => {
    const definition = decodePrestoView(want.ViewOriginalText) ?? {};
    const reordered = Object.fromEntries(Object.entries(definition).reverse());
    const text = `/* Presto View: ${Buffer.from(JSON.stringify(reordered)).toString('base64')} */`;
    assert.deepEqual(viewDifferences({ ...want, ViewOriginalText: text }, want), []);
  });

  it('the raw table under the view’s name (earlier versions) is not a view', () => {
    const old = { ...glueTableInput(ctx, RAW_TABLES[0] as RawTable, '2026-11-01'), Name: 'stock_data_table' };
    assert.deepEqual(viewDifferences(old, want), [{ field: 'tableType', from: 'EXTERNAL_TABLE' }]);
    assert.deepEqual(worded(old), ['EXTERNAL_TABLE, not a view']);
  });

  it('another SQL, lost parameters or other columns are named', () => {
    const definition = lakeViewDefinition('demo_x', ctx.names);
    const otherSql = encodePrestoView({ ...definition, originalSql: 'SELECT * FROM "stock_data_raw"' });
    assert.deepEqual(worded({ ...want, ViewOriginalText: otherSql }), ['view definition']);
    assert.deepEqual(worded({ ...want, Parameters: {} }), ['view parameters']);
    // Views made before the owner was set are brought up to date by the next setup.
    assert.deepEqual(worded({ ...want, Owner: undefined }), ['view owner']);
    const columns = want.StorageDescriptor?.Columns?.slice(1) ?? [];
    assert.deepEqual(worded({ ...want, StorageDescriptor: { Columns: columns } }), ['view columns']);
  });
});
