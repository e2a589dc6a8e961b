import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { addGlobalOptions } from '../global-options.ts';
import { bindAction, type Runner } from '../run-command.ts';

export function registerCleanup(program: Command, runner: Runner): void {
  addGlobalOptions(program.command('cleanup'))
    .description('delete every resource of the pipeline, then check that nothing with its name remains')
    .option('--dry-run', 'list what would be deleted and change nothing')
    .addHelpText(
      'after',
      `
Finds resources by their deterministic names (no local state needed), deletes them in reverse
order and resumes where it stopped if interrupted. On a terminal it asks you to type the
pipeline name; otherwise pass --yes.

Examples:
  $ stockpipe cleanup --dry-run
  $ stockpipe cleanup
  $ stockpipe cleanup --name markets --yes --json`,
    )
    .action(
      bindAction(runner, async (context, flags: { dryRun?: boolean }) => {
        if (context.settings.target !== 'aws')
          throw new UsageError(`cleanup --target ${context.settings.target} is not available yet: use --target aws`);
        const { runCleanup } = await import('../../commands/cleanup/run.ts');
        try {
          return await runCleanup(
            { dryRun: flags.dryRun === true },
            {
              io: context.io,
              name: context.settings.name,
              clients: context.aws,
              cwd: context.cwd,
              signal: context.signal,
            },
          );
        } finally {
          await context.aws.destroy();
        }
      }),
    );
}
