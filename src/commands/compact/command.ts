import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'compact',
  needsPipeline: true,
  summary: 'rewrite the lake’s closed days and months into Parquet: few objects, cheaper queries',
  flags: [
    {
      syntax: '--before <month>',
      description:
        'compact only before this month, YYYY-MM (default: every closed day and month — before yesterday, and before its month)',
    },
    { syntax: '--dry-run', description: 'say what would be rewritten and what Athena would scan; change nothing' },
  ],
  details: `
Queries keep reading stock_data_table: every observation counts once, while compact runs, after
it, and after a run stopped anywhere (Ctrl+C, a crash) — the next run finishes the job. On AWS
Athena rewrites (INSERT INTO the compacted tables, billed by the bytes it scans); offline DuckDB
does. docs/lake.md has the design and the figures.`,
  examples: [
    { command: 'stockpipe compact --dry-run' },
    { command: 'stockpipe compact' },
    { command: 'stockpipe compact --target local --before 2020-01 --json' },
  ],
  ignores: ['yes'],
  parse: async (flags, { now }) => (await import('./options.ts')).parseCompactOptions(flags, now),
  async run(options, context) {
    const { runCompact } = await import('./run.ts');
    const { io, signal } = context;
    if (context.settings.target === 'local') {
      const { localCompactDeps } = await import('./deps.ts');
      const { lake, lockFile } = await localCompactDeps(context);
      const { withCompactLock } = await import('./local.ts');
      return withCompactLock(lockFile, io, () => runCompact(options, { io, signal, lake }));
    }
    const { awsCompactDeps } = await import('./deps.ts');
    return runCompact(options, { io, signal, lake: await awsCompactDeps(context, options) });
  },
});
