import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.ts';
import { pipelineDeps } from '../pipeline-deps.ts';
import { bindAction, type Runner } from '../run-command.ts';

export function registerStatus(program: Command, runner: Runner): void {
  addGlobalOptions(program.command('status'))
    .description('show every resource (present, missing, degraded), subscriptions, recent activity and what to do next')
    .addHelpText(
      'after',
      `
Exit code 0 when every resource is present and healthy, 1 otherwise.

Examples:
  $ stockpipe status
  $ stockpipe status --name markets --json`,
    )
    .action(
      bindAction(runner, async (context) => {
        const { runStatus } = await import('../../commands/status/run.ts');
        try {
          return await runStatus(await pipelineDeps(context));
        } finally {
          await context.aws.destroy();
        }
      }),
    );
}
