import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.ts';
import { bindAction, type Runner } from '../run-command.ts';

interface AlertsFlags {
  since?: string;
  symbol?: string;
  limit?: string;
}

export function registerAlerts(program: Command, runner: Runner): void {
  addGlobalOptions(program.command('alerts'))
    .description('list the alerts the trends function published, newest first')
    .option('--since <time>', 'published this long ago (1d, 6h) or after an ISO time (default 1d)')
    .option('--symbol <symbol>', 'only this symbol')
    .option('--limit <n>', 'at most this many (the newest)')
    .addHelpText(
      'after',
      `
Examples:
  $ stockpipe alerts
  $ stockpipe alerts --since 7d --symbol AAPL
  $ stockpipe alerts --since 2026-11-22T00:00:00Z --json | jq '.[].signal'`,
    )
    .action(
      bindAction<AlertsFlags>(runner, async (context, flags) => {
        const [{ runAlerts }, { pipelineNames }] = await Promise.all([
          import('../../commands/alerts/run.ts'),
          import('../../core/names.ts'),
        ]);
        try {
          return await runAlerts(flags, {
            io: context.io,
            alertsTable: pipelineNames(context.settings.name).alertsTable,
            pipeline: context.settings.name,
            target: context.settings.target,
            documentClient: () => context.aws.documentClient(),
          });
        } finally {
          await context.aws.destroy();
        }
      }),
    );
}
