/**
 * Bytes a named query reads from Parquet objects, as Athena bills them: only the column chunks of
 * the columns the query names (from the files' metadata), plus the columns the view's window reads
 * for every row (symbol, timestamp, object_name; dt is in the path). Shared by the history and
 * live-lake benches.
 */

const WINDOW = ['symbol', 'timestamp', 'object_name'];
export const NAMED_QUERY_COLUMNS: Record<string, string[]> = {
  'top-movers': [...WINDOW, 'price', 'previous_close', 'change_percent'],
  'avg-volume': [...WINDOW, 'volume'],
  anomalies: [...WINDOW, 'price', 'change', 'change_percent'],
  latest: [...WINDOW, 'price', 'change', 'change_percent', 'volume'],
  history: [...WINDOW, 'price', 'change', 'change_percent', 'volume'],
};

/**
 * Bytes a named query over the whole lake reads, as Athena bills them: gzip NDJSON is read whole;
 * Parquet only in the column chunks of the columns the query names (from the files' metadata).
 */
export async function parquetBytesPerQuery(files: string[]): Promise<Record<string, number>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const list = files.map((file) => `'${file.replace(/'/g, "''")}'`).join(', ');
    const reader = await connection.runAndReadAll(
      `SELECT path_in_schema, sum(total_compressed_size)::BIGINT FROM parquet_metadata([${list}]) GROUP BY 1`,
    );
    const byColumn = new Map(reader.getRowsJS().map((row) => [String(row[0]), Number(row[1])]));
    return Object.fromEntries(
      Object.entries(NAMED_QUERY_COLUMNS).map(([name, columns]) => [
        name,
        columns.reduce((sum, column) => sum + (byColumn.get(column) ?? 0), 0),
      ]),
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
