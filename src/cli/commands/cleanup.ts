import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.ts';
import { pipelineDeps } from '../pipeline-deps.ts';
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
        const { runCleanup } = await import('../../commands/cleanup/run.ts');
        try {
          const code = await runCleanup({ dryRun: flags.dryRun === true }, await pipelineDeps(context));
          await context.aws.destroy();
          if (code === 0 && !flags.dryRun && context.settings.target === 'local') {
            // The local stack runs while a pipeline exists: the last cleanup stops it and removes its folder.
            const { stopIdleLocalStack } = await import('../../local/idle.ts');
            if ((await stopIdleLocalStack(context.cwd)) && !context.io.json) {
              context.io.err('Local stack stopped and .stockpipe/local removed: no pipeline left.');
            }
          }
          return code;
        } finally {
          await context.aws.destroy();
        }
      }),
    );
}
