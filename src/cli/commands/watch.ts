import type { Command } from 'commander';
import { addGlobalOptions, collect } from '../global-options.ts';
import { bindAction, type Runner } from '../run-command.ts';

interface WatchFlags {
  symbol?: string[];
  points?: string;
  interval?: string;
  short?: string;
  long?: string;
}

export function registerWatch(program: Command, runner: Runner): void {
  addGlobalOptions(program.command('watch'))
    .description('a live chart of recent prices with short/long SMA and alert markers')
    .option('--symbol <symbol>', 'a symbol to chart (repeat, or comma-separate, for several)', collect)
    .option('--points <n>', 'how many recent points to chart (default 60)')
    .option('--interval <duration>', 'refresh every (default 5s)')
    .option('--short <n>', 'short SMA window (default 5)')
    .option('--long <n>', 'long SMA window (default 20)')
    .addHelpText(
      'after',
      `
On a terminal the chart redraws until Ctrl+C; otherwise it prints one snapshot and exits.

Examples:
  $ stockpipe watch --symbol AAPL
  $ stockpipe watch --symbol AAPL --symbol MSFT --points 120 --interval 10s
  $ stockpipe watch --symbol NVDA --json      one snapshot as JSON`,
    )
    .action(
      bindAction<WatchFlags>(runner, async (context, flags) => {
        const [{ runWatch }, { pipelineNames }] = await Promise.all([
          import('../../commands/watch/run.ts'),
          import('../../core/names.ts'),
        ]);
        const names = pipelineNames(context.settings.name);
        try {
          return await runWatch(flags, {
            io: context.io,
            signal: context.signal,
            quotesTable: names.quotesTable,
            alertsTable: names.alertsTable,
            pipeline: context.settings.name,
            target: context.settings.target,
            documentClient: () => context.aws.documentClient(),
            live: context.io.isInteractive && (context.io.stdout as { isTTY?: boolean }).isTTY === true,
          });
        } finally {
          await context.aws.destroy();
        }
      }),
    );
}
