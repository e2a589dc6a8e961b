import { defineCommand, type FlagSpec, type FlagsOf } from '../command.ts';

const REDRIVE_FLAGS = [
  {
    syntax: '--from <where>',
    description: 'failed (batches the mappings gave up on) or quarantine (records ingest refused)',
    required: 'missing --from: say --from failed or --from quarantine',
  },
  {
    syntax: '--since <time>',
    description: 'only what was kept this long ago (1d, 6h) or after an ISO time (default: all)',
  },
  { syntax: '--dry-run', description: 'count what would be redriven; change nothing' },
] as const satisfies readonly FlagSpec[];

/** The flags as `parse` receives them. */
export type RedriveFlags = FlagsOf<typeof REDRIVE_FLAGS>;

export default defineCommand({
  name: 'redrive',
  needsPipeline: true,
  summary: 'put failed or quarantined records back on the stream, once',
  flags: REDRIVE_FLAGS,
  details: 'Each object redriven is moved under redriven/ in the raw bucket, so it is never redriven twice.',
  examples: [
    { command: 'stockpipe redrive --from failed' },
    { command: 'stockpipe redrive --from quarantine --since 7d --dry-run' },
    { command: 'stockpipe redrive --from quarantine --target local --json' },
  ],
  parse: async (flags, { now }) => (await import('./run.ts')).planRedrive(flags, now.getTime()),
  async run(plan, context) {
    const [{ runRedrive }, { redriveDeps }] = await Promise.all([import('./run.ts'), import('./deps.ts')]);
    return runRedrive(plan, redriveDeps(context));
  },
});
