import { defineCommand, type FlagSpec, type FlagsOf } from '../command.ts';
import { pipelineAddress } from '../shared/pipeline-flags.ts';

const STREAM_FLAGS = [
  {
    syntax: '-s, --symbol <symbol>',
    description: 'ticker to stream; repeat for more (AAPL, BRK-B, ^GSPC)',
    repeatable: true,
  },
  { syntax: '--symbols-file <file>', description: 'file of tickers, one or more per line (# comments)' },
  { syntax: '--source <source>', description: 'yahoo (default), synthetic or replay' },
  {
    syntax: '--interval <duration>',
    description: 'wait between fetches: 500ms, 30s, 2m; 0 for none (default: yahoo 30s, synthetic 1s)',
  },
  { syntax: '--count <n>', description: 'stop after n events', whole: { min: 1 } },
  { syntax: '--duration <duration>', description: 'stop after this long, e.g. 10m' },
  { syntax: '--dry-run', description: 'print the events as NDJSON on stdout; send nothing, no AWS needed' },
  {
    syntax: '--file <file>',
    description: 'replay: a CSV (date|timestamp, open, high, low, close|price, volume) or NDJSON events',
  },
  { syntax: '--speed <n|max>', description: 'replay: n× the file’s own pace, or max (default: max)' },
  {
    syntax: '--sort-limit <size>',
    description: 'replay: sort a file out of time order in memory up to this size (default: 64MB)',
  },
  { syntax: '--seed <n>', description: 'synthetic: random seed, for a reproducible market (default: 42)' },
  { syntax: '--drift <up|down|flat>', description: 'synthetic: trend of the walk (default: flat)' },
  {
    syntax: '--volatility <pct>',
    description: 'synthetic: standard deviation of one tick’s move in percent (default: 0.3)',
  },
  {
    syntax: '--base-price <price>',
    description: 'synthetic: starting price and previous close (default: 20–500 by seed)',
  },
  { syntax: '--spike-every <ticks>', description: 'synthetic: a one-tick spike every n ticks (default: 0, none)' },
  { syntax: '--spike-size <pct>', description: 'synthetic: size of a spike in percent (default: 6)' },
] as const satisfies readonly FlagSpec[];

/** The flags as `parse` receives them. */
export type StreamFlags = FlagsOf<typeof STREAM_FLAGS>;

export default defineCommand({
  name: 'stream',
  summary: 'put stock quotes on the pipeline’s Kinesis stream: Yahoo Finance, a synthetic market, or a replayed file',
  flags: STREAM_FLAGS,
  details: `
Stops at --count, --duration, the end of a replay file, or Ctrl+C — always after everything
fetched has been accepted by Kinesis, then prints a summary. A second Ctrl+C exits at once.
Offline it waits while the local pipeline is more than 5,000 records behind, as Kinesis
throttles a producer on AWS.
The stream is <name>-stream (run \`stockpipe setup\` first). --json prints NDJSON send results.`,
  examples: [
    { command: 'stockpipe stream --symbol AAPL --symbol MSFT' },
    {
      command: 'stockpipe stream --source synthetic --symbol AAPL --symbol MSFT --interval 500ms --duration 10m',
    },
    { command: 'stockpipe stream --source synthetic --symbol AAPL --count 40 --interval 0 --dry-run' },
    { command: 'stockpipe stream --source replay --file aapl-daily.csv --symbol AAPL --speed max' },
    { command: 'stockpipe stream --symbols-file watchlist.txt --json' },
  ],
  parse: async (flags, { cwd }) => (await import('./options.ts')).parseStreamOptions(flags, cwd),
  async run(options, context) {
    const { io, settings, target, signal } = context;
    const { runStream } = await import('./run.ts');
    return runStream(options, {
      io,
      pipeline: pipelineAddress(context),
      clients: target.clients,
      armNoDataAlarm: (debug) => target.armNoDataAlarm(settings.name, debug),
      ...(target.coverLake
        ? { coverLake: (oldest: string) => target.coverLake?.(settings.name, oldest) ?? Promise.resolve([]) }
        : {}),
      ...(target.pipelineProgress
        ? { pipelineProgress: () => target.pipelineProgress?.(settings.name) ?? Promise.resolve(undefined) }
        : {}),
      signal,
    });
  },
});
