/**
 * The offline runner: DuckDB over the local lake exactly as s3rver stores it,
 * `<s3Directory>/<bucket>/raw/dt=YYYY-MM-DD/<key>.json.gz._S3rver_object` and
 * `…/raw-months/month=YYYY-MM/…` (gzip NDJSON of contract events), and their compacted twins
 * `…/compacted/dt=…/`, `…/compacted-months/month=…/` (Parquet). `stock_data_table` is a view
 * built from the lake's one definition (src/core/lake.ts, ./local-lake.ts): the Glue tables' columns and a string
 * `dt` (from the object's path, or the date of the timestamp for the monthly folder), up to where
 * Athena's projection ends, so the named queries and the tutorial's SQL run unchanged. DuckDB is
 * imported only when a query runs.
 */
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { COMPACTED_FOLDERS, RAW_FOLDERS } from '../core/lake.ts';
import { StockpipeError, UsageError } from '../errors.ts';
import { LEGACY_HISTORY_PREFIX } from './compaction.ts';
import { lakeViewSql } from './local-lake.ts';
import {
  type ColumnKind,
  ConsumerError,
  deliverRows,
  QueryCancelledError,
  type QueryResult,
  type QueryRunner,
  type QueryRunOptions,
  type ResultValue,
} from './runner.ts';

export interface DuckDbRunnerOptions {
  /** s3rver's storage folder (one sub-folder per bucket). */
  s3Directory: string;
  /** The raw bucket's name. */
  bucket: string;
  now?: () => number;
}

const NUMBER_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

export class DuckDbQueryRunner implements QueryRunner {
  private readonly options: DuckDbRunnerOptions;

  constructor(options: DuckDbRunnerOptions) {
    this.options = options;
  }

  async run(sql: string, options: QueryRunOptions = {}): Promise<QueryResult> {
    const { signal } = options;
    const now = this.options.now ?? Date.now;
    const started = now();
    if (signal?.aborted) throw new QueryCancelledError(undefined);
    const bucketDir = join(this.options.s3Directory, this.options.bucket);
    if (!existsSync(bucketDir)) {
      throw new StockpipeError(
        `the lake bucket ${this.options.bucket} does not exist in the local target: run \`stockpipe setup --target local\` first`,
      );
    }
    const { DuckDBInstance } = await import('@duckdb/node-api');
    // No extension is ever fetched or loaded on demand: local SQL needs none, and INSTALL would
    // reach the network.
    const instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
    });
    const connection = await instance.connect();
    const interrupt = () => connection.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      const lakeDirs = [
        ...RAW_FOLDERS.map((folder) => folder.prefix),
        ...COMPACTED_FOLDERS.map((folder) => folder.prefix),
        LEGACY_HISTORY_PREFIX,
      ].map((prefix) => join(bucketDir, prefix));
      await sandbox(connection, lakeDirs);
      await connection.run(lakeViewSql(bucketDir, new Date(now())));
      const statement = await oneReadOnlyStatement(connection, sql);
      // Streamed chunk by chunk (2,048 rows): no result is ever held whole unless asked for.
      const result = await statement.stream();
      const types = result.columnTypes().map((type) => type.toString());
      const columns = result.columnNames().map((name, index) => ({
        name,
        type: types[index] ?? 'VARCHAR',
        kind: duckKind(types[index] ?? 'VARCHAR'),
      }));
      const rows: ResultValue[][] = [];
      let rowCount = 0;
      for await (const chunk of result.yieldRowsJs()) {
        if (signal?.aborted) throw new QueryCancelledError(undefined);
        const values = chunk.map((row) => row.map((value) => plainValue(value)));
        rowCount += await deliverRows(options.onRows, rows, columns, values);
      }
      // An interrupted stream may just end early, with no error: that is a cancel, not a result.
      if (signal?.aborted) throw new QueryCancelledError(undefined);
      if (rowCount === 0) await deliverRows(options.onRows, rows, columns, []);
      return { columns, rows, rowCount, stats: { engine: 'duckdb', runTimeMs: now() - started } };
    } catch (error) {
      if (error instanceof ConsumerError) throw error.cause;
      if (signal?.aborted) throw new QueryCancelledError(undefined);
      if (error instanceof UsageError) throw error;
      throw new StockpipeError(
        `query failed: ${String((error as Error).message ?? error)
          .replace(/\s+/g, ' ')
          .trim()}`,
      );
    } finally {
      signal?.removeEventListener('abort', interrupt);
      connection.closeSync();
      instance.closeSync();
    }
  }
}

/**
 * Local SQL can do what Athena can and no more: read the lake. Every file-system access outside
 * the lake's raw folder is off (read_csv('/etc/passwd'), glob, COPY … TO, ATTACH, INSTALL), and
 * the configuration is locked so the query cannot turn it back on.
 */
async function sandbox(connection: DuckDBConnection, lakeDirs: readonly string[]): Promise<void> {
  await connection.run(`SET allowed_directories = [${lakeDirs.map((dir) => sqlString(`${dir}${sep}`)).join(', ')}]`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');
}

/** The query's one statement, prepared, if it only reads (SELECT, WITH … SELECT, EXPLAIN). */
async function oneReadOnlyStatement(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  const { StatementType } = await import('@duckdb/node-api');
  const statements = await connection.extractStatements(sql);
  if (statements.count !== 1) {
    throw new UsageError(
      `the query holds ${statements.count} statements: local SQL runs one read-only statement (SELECT) at a time, as Athena does`,
    );
  }
  const prepared = await statements.prepare(0);
  const type = prepared.statementType;
  if (type !== StatementType.SELECT && type !== StatementType.EXPLAIN) {
    prepared.destroySync();
    throw new UsageError(
      `the query is a ${StatementType[type] ?? 'non-SELECT'} statement: local SQL only reads the lake (SELECT), as Athena does`,
    );
  }
  return prepared;
}

function duckKind(type: string): ColumnKind {
  if (NUMBER_TYPES.test(type)) return 'number';
  if (type === 'BOOLEAN') return 'boolean';
  return 'string';
}

/** DuckDB's JS values as the runner contract wants them: bigint → number (or string beyond 2^53), dates → ISO. */
function plainValue(value: unknown): ResultValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value, (_key, inner) => (typeof inner === 'bigint' ? inner.toString() : inner));
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
