/**
 * The Athena runner: StartQueryExecution in the pipeline's workgroup and database, poll
 * GetQueryExecution with backoff until the query settles, then GetQueryResults across every page.
 * An aborted signal sends StopQueryExecution, so Ctrl+C never leaves a query scanning (and billing).
 */
import type { AthenaClient, GetQueryExecutionCommandOutput, Row } from '@aws-sdk/client-athena';
import { retry } from '../core/retry.ts';
import { StockpipeError } from '../errors.ts';
import { columnKind, typedValue } from './athena-types.ts';
import {
  ConsumerError,
  deliverRows,
  QueryCancelledError,
  type QueryResult,
  type QueryRunner,
  type QueryRunOptions,
  type ResultColumn,
  type ResultValue,
  type RowsConsumer,
} from './runner.ts';

export interface AthenaRunnerOptions {
  workgroup: string;
  database: string;
  /** First poll delay; doubles up to maxPollMs (defaults 250 ms → 2 s). */
  pollMs?: number;
  maxPollMs?: number;
  /** Rows per GetQueryResults page (Athena's maximum is 1000). */
  pageSize?: number;
  /** Wall clock, injectable for tests. */
  now?: () => number;
}

const RUNNING_STATES = new Set(['QUEUED', 'RUNNING']);

export class AthenaQueryRunner implements QueryRunner {
  private readonly client: AthenaClient;
  private readonly options: AthenaRunnerOptions;

  constructor(client: AthenaClient, options: AthenaRunnerOptions) {
    this.client = client;
    this.options = options;
  }

  async run(sql: string, options: QueryRunOptions = {}): Promise<QueryResult> {
    const { signal, onProgress } = options;
    const sdk = await import('@aws-sdk/client-athena');
    const now = this.options.now ?? Date.now;
    const started = now();
    if (signal?.aborted) throw new QueryCancelledError(undefined);
    const { QueryExecutionId: queryId } = await this.client.send(
      new sdk.StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.options.workgroup,
        QueryExecutionContext: { Database: this.options.database },
      }),
    );
    if (!queryId) throw new StockpipeError('Athena did not return a query id: try again');

    try {
      const execution = await this.waitForCompletion(sdk, queryId, signal, onProgress);
      const status = execution.QueryExecution?.Status;
      if (status?.State !== 'SUCCEEDED') {
        const reason = oneLine(status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage ?? 'no reason given');
        throw new StockpipeError(`query ${status?.State?.toLowerCase() ?? 'failed'}: ${reason}`);
      }
      const { columns, rows, rowCount } = await this.readResults(sdk, queryId, execution, signal, options.onRows);
      return {
        columns,
        rows,
        rowCount,
        stats: {
          engine: 'athena',
          queryId,
          bytesScanned: execution.QueryExecution?.Statistics?.DataScannedInBytes ?? 0,
          runTimeMs: now() - started,
        },
      };
    } catch (error) {
      if (signal?.aborted) {
        await this.stop(sdk, queryId);
        throw new QueryCancelledError(queryId);
      }
      if (error instanceof ConsumerError) throw error.cause;
      throw error;
    }
  }

  private async waitForCompletion(
    sdk: typeof import('@aws-sdk/client-athena'),
    queryId: string,
    signal: AbortSignal | undefined,
    onProgress: ((state: string) => void) | undefined,
  ): Promise<GetQueryExecutionCommandOutput> {
    const pollMs = this.options.pollMs ?? 250;
    const state = (execution: GetQueryExecutionCommandOutput) => execution.QueryExecution?.Status?.State ?? 'QUEUED';
    // A wait rejects when the signal aborts: the caller then stops the query.
    return retry(
      () =>
        this.client.send(
          new sdk.GetQueryExecutionCommand({ QueryExecutionId: queryId }),
          signal ? { abortSignal: signal } : {},
        ),
      {
        attempts: Number.POSITIVE_INFINITY,
        backoff: { baseMs: pollMs, capMs: this.options.maxPollMs ?? 2000, jitter: false },
        done: (execution) => !RUNNING_STATES.has(state(execution)),
        onRetry: (retrying) => {
          if ('result' in retrying) onProgress?.(state(retrying.result));
        },
        ...(signal ? { signal } : {}),
      },
    );
  }

  /** The result's pages in order (1,000 rows each), to `onRows` as they come, or kept. */
  private async readResults(
    sdk: typeof import('@aws-sdk/client-athena'),
    queryId: string,
    execution: GetQueryExecutionCommandOutput,
    signal: AbortSignal | undefined,
    onRows: RowsConsumer | undefined,
  ): Promise<Pick<QueryResult, 'columns' | 'rows' | 'rowCount'>> {
    let columns: ResultColumn[] | undefined;
    const rows: ResultValue[][] = [];
    let rowCount = 0;
    const pages = sdk.paginateGetQueryResults(
      { client: this.client, pageSize: this.options.pageSize ?? 1000 },
      { QueryExecutionId: queryId },
    );
    for await (const page of pages) {
      if (signal?.aborted) throw new QueryCancelledError(queryId);
      const pageRows = page.ResultSet?.Rows ?? [];
      if (!columns) {
        columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((info, index) => ({
          name: info.Label ?? info.Name ?? `_col${index}`,
          type: info.Type ?? 'varchar',
          kind: columnKind(info.Type),
        }));
        // A SELECT's first row repeats the column labels; DDL and SHOW results have no such row.
        const first = pageRows[0];
        const isDml = (execution.QueryExecution?.StatementType ?? 'DML') === 'DML';
        const labels = columns;
        if (first && isDml && labels.length > 0 && labels.every((c, i) => first.Data?.[i]?.VarCharValue === c.name)) {
          pageRows.shift();
        }
      }
      const kinds = columns.map((column) => column.kind);
      const values = pageRows.map((row: Row) =>
        kinds.map((kind, index) => typedValue(row.Data?.[index]?.VarCharValue, kind)),
      );
      rowCount += await deliverRows(onRows, rows, columns, values);
    }
    columns ??= [];
    if (rowCount === 0) await deliverRows(onRows, rows, columns, []);
    return { columns, rows, rowCount };
  }

  private async stop(sdk: typeof import('@aws-sdk/client-athena'), queryId: string): Promise<void> {
    try {
      await this.client.send(new sdk.StopQueryExecutionCommand({ QueryExecutionId: queryId }));
    } catch {
      // Best effort: the query may have finished in the meantime.
    }
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
