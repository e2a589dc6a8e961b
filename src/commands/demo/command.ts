import { defineCommand, type FlagSpec, type FlagsOf } from '../command.ts';

const DEMO_FLAGS = [
  { syntax: '--duration <duration>', description: 'how long to stream (default 60s; 5s to 30m)' },
  {
    syntax: '--symbol <symbol>',
    description: 'a ticker to simulate, repeatable (default AAPL MSFT NVDA TSLA)',
    repeatable: true,
  },
  { syntax: '--interval <duration>', description: 'one synthetic tick per symbol this often (default 100ms)' },
  { syntax: '--seed <n>', description: 'seed of the synthetic prices (default 42): the same seed, the same prices' },
  {
    syntax: '--malformed <n>',
    description: 'malformed records sent along to show the quarantine (default 5; 0 for none)',
  },
  { syntax: '--keep', description: 'leave the pipeline and the local stack running for the other commands' },
] as const satisfies readonly FlagSpec[];

/** The flags as `parse` receives them. */
export type DemoFlags = FlagsOf<typeof DEMO_FLAGS>;

export default defineCommand({
  name: 'demo',
  summary: 'run the whole pipeline offline for a minute: stream, ingest, trends, alerts, SQL — no AWS account',
  flags: DEMO_FLAGS,
  details: `
Starts the local stack (kinesalite, dynalite, s3rver on loopback), sets up a pipeline called
stockpipe-demo, streams synthetic quotes through the same Lambda zips setup deploys to AWS,
prints each BUY/SELL alert as it fires, then a summary read back from DynamoDB and the lake
(produced = ingested + quarantined, latency percentiles, top movers by SQL) and cleans up.`,
  examples: [
    { command: 'stockpipe demo' },
    { command: 'stockpipe demo --duration 20s --json' },
    { command: 'stockpipe demo --symbol AAPL --symbol TSLA --keep' },
    { command: 'stockpipe query top-movers --target local --name stockpipe-demo', note: 'after --keep' },
  ],
  ignores: ['region', 'profile', 'target'],
  runsOn: 'local',
  targetOptions: { createsPipeline: true },
  async parse(flags, { settings, resolved }) {
    const { parseDemoFlags, DEMO_PIPELINE } = await import('./options.ts');
    return {
      ...parseDemoFlags(flags),
      name: resolved.name.source === 'default' ? DEMO_PIPELINE : settings.name,
    };
  },
  async run({ name, ...options }, context) {
    const { runDemo } = await import('./run.ts');
    return runDemo(options, {
      io: context.io,
      cwd: context.cwd,
      name,
      clients: context.target.clients,
      signal: context.signal,
      invocation: context.invocation,
    });
  },
});
