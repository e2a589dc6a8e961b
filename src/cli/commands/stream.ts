import type { Command } from 'commander';
import type { StreamFlags } from '../../commands/stream/options.ts';
import { addGlobalOptions, collect } from '../global-options.ts';
import { bindAction, type Runner } from '../run-command.ts';

export function registerStream(program: Command, runner: Runner): void {
  addGlobalOptions(program.command('stream'))
    .description(
      'put stock quotes on the pipeline’s Kinesis stream: Yahoo Finance, a synthetic market, or a replayed file',
    )
    .option('-s, --symbol <symbol>', 'ticker to stream; repeat for more (AAPL, BRK-B, ^GSPC)', collect)
    .option('--symbols-file <file>', 'file of tickers, one or more per line (# comments)')
    .option('--source <source>', 'yahoo (default), synthetic or replay')
    .option(
      '--interval <duration>',
      'wait between fetches: 500ms, 30s, 2m; 0 for none (default: yahoo 30s, synthetic 1s)',
    )
    .option('--count <n>', 'stop after n events')
    .option('--duration <duration>', 'stop after this long, e.g. 10m')
    .option('--dry-run', 'print the events as NDJSON on stdout; send nothing, no AWS needed')
    .option('--file <file>', 'replay: a CSV (date|timestamp, open, high, low, close|price, volume) or NDJSON events')
    .option('--speed <n|max>', 'replay: n× the file’s own pace, or max (default: max)')
    .option('--sort-limit <size>', 'replay: sort a file out of time order in memory up to this size (default: 64MB)')
    .option('--seed <n>', 'synthetic: random seed, for a reproducible market (default: 42)')
    .option('--drift <up|down|flat>', 'synthetic: trend of the walk (default: flat)')
    .option('--volatility <pct>', 'synthetic: standard deviation of one tick’s move in percent (default: 0.3)')
    .option('--base-price <price>', 'synthetic: starting price and previous close (default: 20–500 by seed)')
    .option('--spike-every <ticks>', 'synthetic: a one-tick spike every n ticks (default: 0, none)')
    .option('--spike-size <pct>', 'synthetic: size of a spike in percent (default: 6)')
    .addHelpText(
      'after',
      `
Stops at --count, --duration, the end of a replay file, or Ctrl+C — always after everything
fetched has been accepted by Kinesis, then prints a summary. A second Ctrl+C exits at once.
The stream is <name>-stream (run \`stockpipe setup\` first). --json prints NDJSON send results.

Examples:
  $ stockpipe stream --symbol AAPL --symbol MSFT
  $ stockpipe stream --source synthetic --symbol AAPL --symbol MSFT --interval 500ms --duration 10m
  $ stockpipe stream --source synthetic --symbol AAPL --count 40 --interval 0 --dry-run
  $ stockpipe stream --source replay --file aapl-daily.csv --symbol AAPL --speed max
  $ stockpipe stream --symbols-file watchlist.txt --json`,
    )
    .action(
      bindAction<StreamFlags>(runner, async (context, flags) => {
        const { runStream } = await import('../../commands/stream/run.ts');
        return runStream(flags, context);
      }),
    );
}
