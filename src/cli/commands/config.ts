import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.ts';
import { bindAction, type Runner } from '../run-command.ts';

export function registerConfig(program: Command, runner: Runner): void {
  addGlobalOptions(program.command('config'))
    .description('print the resolved settings and where each one came from')
    .addHelpText(
      'after',
      `
Precedence: flags > environment (STOCKPIPE_NAME, STOCKPIPE_TARGET, STOCKPIPE_REGION/AWS_REGION,
STOCKPIPE_PROFILE/AWS_PROFILE) > stockpipe.config.json (or --config <file>) > defaults.

Examples:
  $ stockpipe config
  $ stockpipe config --json
  $ STOCKPIPE_NAME=demo stockpipe config --target local`,
    )
    .action(
      bindAction(runner, async (context) => {
        const { runConfig } = await import('../../commands/config/run.ts');
        return runConfig(context);
      }),
    );
}
