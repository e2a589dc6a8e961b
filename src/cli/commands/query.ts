import type { Command } from 'commander';
import type { QueryOptions } from '../../commands/query/plan.ts';
import { addGlobalOptions } from '../global-options.ts';
import { bindAction, type Runner } from '../run-command.ts';

/** The flags are the query options but for the two positional arguments. */
type QueryFlags = Omit<QueryOptions, 'name' | 'sql'>;

export function registerQuery(program: Command, runner: Runner): void {
  addGlobalOptions(program.command('query'))
    .description('run a named query or your own SQL over stock_data_table (Athena)')
    .argument('<name>', 'top-movers | avg-volume | anomalies | latest | history | sql')
    .argument('[sql]', 'the statement, for query sql')
    .option('--since <duration>', 'named queries: partitions (days) covering this long ago until today (default 1d)')
    .option('--from <date>', 'named queries: first dt partition, YYYY-MM-DD')
    .option('--to <date>', 'named queries: last dt partition, YYYY-MM-DD (default today, UTC)')
    .option('--limit <n>', 'top-movers: rows (default 5); history: the newest n points (default 100)')
    .option('--threshold <pct>', 'anomalies: |change_percent| above this (default 5)')
    .option('--symbol <symbol>', 'history: the symbol')
    .option('--file <path>', 'query sql: read the statement from a file')
    .option('--format <format>', 'table (default), csv, or json (an array of objects)')
    .addHelpText(
      'after',
      `
Named queries (each reads only the dt partitions of the asked range):
  top-movers    largest |price - previous_close|, --limit rows (default 5)
  avg-volume    average volume and observation count per symbol
  anomalies     moves with |change_percent| above --threshold (default 5)
  latest        the most recent observation of every symbol
  history       the newest --limit points of --symbol (default 100), oldest first

A footer on stderr shows the data scanned, its cost at $5/TB and the run time.
Ctrl+C stops the running query (StopQueryExecution).

Examples:
  $ stockpipe query top-movers --limit 10 --since 7d
  $ stockpipe query anomalies --threshold 3 --from 2026-11-01 --to 2026-11-22
  $ stockpipe query history --symbol AAPL --format csv > aapl.csv
  $ stockpipe query latest --json
  $ stockpipe query sql "SELECT * FROM stock_data_table LIMIT 10"
  $ stockpipe query sql --file report.sql --format json`,
    )
    .action(
      bindAction<QueryFlags>(runner, async (context, flags, args) => {
        const [{ runQuery }, { pipelineNames }] = await Promise.all([
          import('../../commands/query/run.ts'),
          import('../../core/names.ts'),
        ]);
        const [name = '', sql] = args;
        try {
          return await runQuery(
            { name, ...(sql !== undefined ? { sql } : {}), ...flags },
            {
              io: context.io,
              cwd: context.cwd,
              signal: context.signal,
              createRunner: async () => {
                if (context.settings.target === 'local') {
                  // Offline, DuckDB reads the lake straight from s3rver's folder.
                  const [{ DuckDbQueryRunner }, { localPaths }, { LOCAL_ACCOUNT, LOCAL_REGION }, { bucketNames }] =
                    await Promise.all([
                      import('../../query/duckdb.ts'),
                      import('../../local/paths.ts'),
                      import('../../local/constants.ts'),
                      import('../../core/names.ts'),
                    ]);
                  return new DuckDbQueryRunner({
                    s3Directory: localPaths(context.cwd).s3Dir,
                    bucket: bucketNames(context.settings.name, LOCAL_ACCOUNT, LOCAL_REGION).raw,
                  });
                }
                const { AthenaQueryRunner } = await import('../../query/athena.ts');
                const names = pipelineNames(context.settings.name);
                return new AthenaQueryRunner(await context.aws.get('athena'), {
                  workgroup: names.workgroup,
                  database: names.glueDatabase,
                });
              },
            },
          );
        } finally {
          await context.aws.destroy();
        }
      }),
    );
}
