import { NAMED_QUERY_HELP, NAMED_QUERY_NAMES } from '../../query/named.ts';
import { TABLE_FORMATS } from '../../ui/table-formats.ts';
import { defineCommand, type FlagSpec, type FlagsOf } from '../command.ts';
import { pipelineAddress } from '../shared/pipeline-flags.ts';

const width = Math.max(...NAMED_QUERY_NAMES.map((name) => name.length));

const QUERY_FLAGS = [
  {
    syntax: '--since <duration>',
    description: 'named queries: partitions (days) covering this long ago until today (default 1d)',
  },
  { syntax: '--from <date>', description: 'named queries: first dt partition, YYYY-MM-DD' },
  { syntax: '--to <date>', description: 'named queries: last dt partition, YYYY-MM-DD (default today, UTC)' },
  {
    syntax: '--limit <n>',
    description: 'top-movers: rows (default 5); history: the newest n points (default 100)',
    whole: { min: 1 },
  },
  { syntax: '--threshold <pct>', description: 'anomalies: |change_percent| above this (default 5)' },
  { syntax: '--symbol <symbol>', description: 'history: the symbol' },
  { syntax: '--file <path>', description: 'query sql: read the statement from a file' },
  {
    syntax: '--format <format>',
    description: 'table (default), csv, or json (an array of objects)',
    choices: TABLE_FORMATS,
  },
] as const satisfies readonly FlagSpec[];

/** The flags as `parse` receives them. */
export type QueryFlags = FlagsOf<typeof QUERY_FLAGS>;

export default defineCommand({
  name: 'query',
  needsPipeline: true,
  summary: 'run a named query or your own SQL over stock_data_table (Athena; DuckDB offline)',
  arguments: [
    // Optional for commander, checked in parse: a missing query is told the choices.
    { syntax: '[query]', description: `${NAMED_QUERY_NAMES.join(' | ')} | sql` },
    { syntax: '[sql]', description: 'the statement, for query sql' },
  ],
  flags: QUERY_FLAGS,
  details: `
Named queries (each reads only the dt partitions of the asked range):
${NAMED_QUERY_NAMES.map((name) => `  ${name.padEnd(width)}  ${NAMED_QUERY_HELP[name]}`).join('\n')}

stock_data_table holds each observation (symbol, timestamp) once, its latest write.
query sql runs one read-only statement (SELECT, WITH … SELECT), sent without a closing ;
(Athena refuses one); anything else (DELETE, INSERT, INSTALL …) exits 2.
On AWS the lake's tables are first widened to any older records stored (docs/lake.md).
Rows print as they arrive; a terminal is shown the first 2,000 (--format csv prints all).
A footer on stderr shows the data scanned, its cost at $5/TB and the run time.
Ctrl+C stops the running query (StopQueryExecution) or its printing.`,
  examples: [
    { command: 'stockpipe query top-movers --limit 10 --since 7d' },
    { command: 'stockpipe query anomalies --threshold 3 --from 2026-11-01 --to 2026-11-22' },
    { command: 'stockpipe query history --symbol AAPL --format csv > aapl.csv' },
    { command: 'stockpipe query latest --json' },
    { command: 'stockpipe query sql "SELECT * FROM stock_data_table LIMIT 10"' },
    { command: 'stockpipe query sql --file report.sql --format json' },
  ],
  async parse(flags, { args, cwd, now, json }) {
    const { planQuery } = await import('./plan.ts');
    const [name = '', sql] = args;
    return planQuery({ name, ...(sql !== undefined ? { sql } : {}), ...flags }, { cwd, now, json });
  },
  async run(plan, context) {
    const { io, settings, target, signal } = context;
    const { runQuery } = await import('./run.ts');
    return runQuery(plan, {
      io,
      signal,
      pipeline: pipelineAddress(context),
      createRunner: () => target.queryRunner(settings.name),
      ...(target.coverLake ? { coverLake: () => target.coverLake?.(settings.name) ?? Promise.resolve([]) } : {}),
    });
  },
});
