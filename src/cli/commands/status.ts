import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.ts';
import { bindAction, type Runner } from '../run-command.ts';
import { targetPipelineDeps } from './pipeline-target.ts';

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
          return await runStatus({
            io: context.io,
            name: context.settings.name,
            clients: context.aws,
            cwd: context.cwd,
            documentClient: () => context.aws.documentClient(),
            ...(await targetPipelineDeps(context)),
          });
        } finally {
          await context.aws.destroy();
        }
      }),
    );
}
