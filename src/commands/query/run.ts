import { formatDuration } from '../../core/duration.ts';
import { DEFAULT_PIPELINE_NAME } from '../../core/names.ts';
import { CancelledError } from '../../errors.ts';
import { QueryCancelledError, type QueryResult, type QueryRunner, queryCostUsd } from '../../query/runner.ts';
import type { IO } from '../../ui/io.ts';
import { terminalSpinner } from '../../ui/spinner.ts';
import { type PipelineAddress, suggest } from '../shared/pipeline-flags.ts';
import type { QueryPlan } from './plan.ts';
import { resultPrinter } from './print.ts';

export interface QueryDeps {
  io: IO;
  signal: AbortSignal;
  /** The engine for the resolved target; created only after the flags are valid. */
  createRunner: () => Promise<QueryRunner>;
  /** Before the query: make the engine see every stored record (Target.coverLake). */
  coverLake?: () => Promise<string[]>;
  /** The pipeline, as suggested commands name it (default: the default pipeline, installed). */
  pipeline?: PipelineAddress;
}

export async function runQuery(plan: QueryPlan, deps: QueryDeps): Promise<number> {
  const { io } = deps;
  const runner = await deps.createRunner();
  await coverLake(deps);
  const { sql } = plan;
  io.debug(sql);
  if (plan.range && !io.json) io.debug(`partitions dt ${plan.range.from} … ${plan.range.to}`);
  const spinner = io.isInteractive ? await startSpinner(io) : undefined;
  const printer = resultPrinter(plan.format, io);
  let result: QueryResult;
  try {
    const started = Date.now();
    result = await runner.run(sql, {
      signal: deps.signal,
      onProgress: (state) => spinner?.update(`${state.toLowerCase()} · ${formatDuration(Date.now() - started)}`),
      // Rows are printed as they arrive: the spinner goes before the first, Ctrl+C stops the printing.
      onRows: async (columns, rows) => {
        spinner?.stop();
        if (deps.signal.aborted) throw new QueryCancelledError(undefined);
        await printer.take(columns, rows);
      },
    });
    await printer.finish(result.rowCount);
  } catch (error) {
    if (error instanceof QueryCancelledError) {
      throw new CancelledError(`${error.message}${error.queryId ? ' (StopQueryExecution sent)' : ''}`);
    }
    throw error;
  } finally {
    spinner?.stop();
  }

  if (!io.json) {
    if (result.rowCount === 0)
      io.err(`no rows${plan.range ? ` in the partitions dt ${plan.range.from} … ${plan.range.to}` : ''}`);
    io.err(io.errStyle.dim(footer(result)));
  }
  return 0;
}

/**
 * Widens the lake's tables when older records are stored than they project, and says so. It never
 * stops the query: a query user without glue:UpdateTable is told what Athena cannot see yet.
 */
async function coverLake(deps: QueryDeps): Promise<void> {
  const { io } = deps;
  if (!deps.coverLake) return;
  try {
    for (const line of await deps.coverLake()) {
      if (io.json) io.debug(line);
      else io.err(line);
    }
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    const message = String((error as Error).message ?? error).replace(/\s+/g, ' ');
    if (/AccessDenied|UnauthorizedOperation/.test(name)) {
      io.err(
        `warning: the lake may hold records older than its tables project, and this identity may not widen them (${message}); the query runs without them: \`${suggest(deps.pipeline ?? { name: DEFAULT_PIPELINE_NAME }, 'setup')}\` widens them`,
      );
    } else {
      io.debug(`lake coverage not checked: ${message}`);
    }
  }
}

/** "3 rows · 1.2 MB scanned · $0.000006 · 1.4s · query 1234…" */
export function footer(result: QueryResult): string {
  const { stats } = result;
  const parts = [`${result.rowCount} ${result.rowCount === 1 ? 'row' : 'rows'}`];
  if (stats.bytesScanned !== undefined) {
    parts.push(`${formatBytes(stats.bytesScanned)} scanned`, `$${formatUsd(queryCostUsd(stats.bytesScanned))}`);
  }
  parts.push(formatDuration(stats.runTimeMs));
  if (stats.queryId) parts.push(`query ${stats.queryId}`);
  return parts.join(' · ');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** Cents are too coarse for one query: show enough digits to see the cost. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '0.00';
  if (usd >= 0.01) return usd.toFixed(2);
  return usd.toPrecision(2);
}

/** A spinner on stderr while the query runs (terminals only; ora loads only then). */
async function startSpinner(io: IO): Promise<{ update(text: string): void; stop(): void }> {
  const spinner = (await terminalSpinner(io, { text: 'running query', color: 'cyan' })).start();
  return {
    update: (text) => {
      spinner.text = `running query · ${text}`;
    },
    stop: () => spinner.stop(),
  };
}
