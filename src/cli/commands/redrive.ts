import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.ts';
import { bindAction, type Runner } from '../run-command.ts';

interface RedriveFlags {
  from?: string;
  since?: string;
  dryRun?: boolean;
}

export function registerRedrive(program: Command, runner: Runner): void {
  addGlobalOptions(program.command('redrive'))
    .description('put failed or quarantined records back on the stream, once')
    .option('--from <where>', 'failed (batches the mappings gave up on) or quarantine (records ingest refused)')
    .option('--since <time>', 'only what was kept this long ago (1d, 6h) or after an ISO time (default: all)')
    .option('--dry-run', 'count what would be redriven; change nothing')
    .addHelpText(
      'after',
      `
Each object redriven is moved under redriven/ in the raw bucket, so it is never redriven twice.

Examples:
  $ stockpipe redrive --from failed
  $ stockpipe redrive --from quarantine --since 7d --dry-run
  $ stockpipe redrive --from quarantine --target local --json`,
    )
    .action(
      bindAction<RedriveFlags>(runner, async (context, flags) => {
        const [{ runRedrive }, { redriveDeps }] = await Promise.all([
          import('../../commands/redrive/run.ts'),
          import('../../commands/redrive/deps.ts'),
        ]);
        try {
          return await runRedrive(
            flags,
            redriveDeps({
              io: context.io,
              name: context.settings.name,
              target: context.settings.target,
              clients: context.aws,
            }),
          );
        } finally {
          await context.aws.destroy();
        }
      }),
    );
}
