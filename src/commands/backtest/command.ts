import { TABLE_FORMATS } from '../../ui/table-formats.ts';
import { defineCommand, type FlagSpec, type FlagsOf } from '../command.ts';
import { STRATEGY_FLAGS } from '../shared/strategy-flags.ts';

export const BACKTEST_NEEDS_FILE = 'backtest needs --file <csv|ndjson> (e.g. --file aapl-daily.csv --symbol AAPL)';

const BACKTEST_FLAGS = [
  {
    syntax: '--file <file>',
    description: 'a CSV of bars (one symbol, give --symbol) or NDJSON events',
    required: BACKTEST_NEEDS_FILE,
  },
  {
    syntax: '-s, --symbol <symbol>',
    description: 'the symbol of a CSV file; for NDJSON, only these symbols (repeatable)',
    repeatable: true,
  },
  ...STRATEGY_FLAGS,
  {
    syntax: '--format <format>',
    description: 'table (default), csv, or json (one document with alerts and summary)',
    choices: TABLE_FORMATS,
  },
] as const satisfies readonly FlagSpec[];

/** The flags as `parse` receives them. */
export type BacktestFlags = FlagsOf<typeof BACKTEST_FLAGS>;

export default defineCommand({
  name: 'backtest',
  summary: 'run the trends strategy over a replay file: the alerts it would raise, no stack, no AWS',
  flags: BACKTEST_FLAGS,
  details: `
The file is read as \`stream --source replay\` reads it, and the strategy flags are setup's: the
alerts are the ones the pipeline would raise replaying the same file (15-minute cooldown per
symbol and signal, in data time). Rows must be in time order per symbol.`,
  examples: [
    { command: 'stockpipe backtest --file aapl-daily-2015-2017.csv --symbol AAPL' },
    { command: 'stockpipe backtest --file aapl-daily-2015-2017.csv --symbol AAPL --strategy threshold --thresh-pct 2' },
    {
      command: 'stockpipe backtest --file aapl-daily-2015-2017.csv --symbol AAPL --strategy ./rsi.mjs',
      note: 'your own strategy (docs/strategies.md)',
    },
    { command: 'stockpipe backtest --file events.ndjson --sma-short 10 --sma-long 50 --format csv > alerts.csv' },
  ],
  // A file and the strategy's code: no pipeline, no account, no stack.
  ignores: ['name', 'region', 'profile', 'target', 'config', 'yes'],
  parse: async (flags, { cwd, json }) => (await import('./options.ts')).parseBacktestOptions(flags, { cwd, json }),
  async run(options, { io, signal }) {
    const { runBacktest } = await import('./run.ts');
    return runBacktest(options, { io, signal });
  },
});
