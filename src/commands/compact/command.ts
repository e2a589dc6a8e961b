import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'compact',
  needsPipeline: true,
  summary: 'rewrite the closed months of the local lake into one Parquet object per month',
  flags: [
    {
      syntax: '--before <month>',
      description: 'compact the months before this one, YYYY-MM (default: every closed month)',
    },
  ],
  details: `
Queries keep reading stock_data_table: a compacted month is read from its Parquet object, the
others from the raw objects, and every observation is counted once, also while compact runs.
Offline only for now (the local target); docs/lake.md has the design on AWS.`,
  examples: [{ command: 'stockpipe compact' }, { command: 'stockpipe compact --before 2020-01 --json' }],
  ignores: ['region', 'profile', 'target', 'yes'],
  runsOn: 'local',
  parse: async (flags, { now }) => (await import('./options.ts')).parseCompactOptions(flags, now),
  async run(options, { io, cwd, settings, target }) {
    const [{ runCompact }, { localCompactLock, localLakeWriter, localRawBucketDir }] = await Promise.all([
      import('./run.ts'),
      import('./local.ts'),
    ]);
    return runCompact(options, {
      io,
      bucketDir: localRawBucketDir(cwd, settings.name),
      lockFile: localCompactLock(cwd, settings.name),
      writer: () => localLakeWriter(target.clients, settings.name),
    });
  },
});
