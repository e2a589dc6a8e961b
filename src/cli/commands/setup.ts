import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { addGlobalOptions, collect } from '../global-options.ts';
import { pipelineDeps } from '../pipeline-deps.ts';
import { bindAction, type Runner } from '../run-command.ts';

export function registerSetup(program: Command, runner: Runner): void {
  addGlobalOptions(program.command('setup'))
    .description('create the pipeline on AWS, or bring it up to date (idempotent)')
    .option('--email <address>', 'send BUY/SELL alerts to this address (repeatable)', collect)
    .option('--strategy <name>', 'trend strategy: crossover (default) or threshold')
    .option('--sma-short <n>', 'crossover: short SMA window (default 5)')
    .option('--sma-long <n>', 'crossover: long SMA window (default 20)')
    .option('--thresh-pct <pct>', 'threshold: minimum move in percent (default 1.5)')
    .option('--lookback <n>', 'threshold: points the move is measured over (default 15)')
    .option('--sma-window <n>', 'threshold: SMA window the price must clear (default 20)')
    .option('--min-points <n>', 'threshold: points before the first signal (default 20)')
    .option('--eps-pct <pct>', 'threshold: how far beyond the SMA, in percent (default 0.2)')
    .option('--alert-lang <lang>', 'alert language: en (default), es or pl')
    .option('--log-retention <days>', 'CloudWatch log retention in days (default 14)')
    .option('--dry-run', 'print the plan (create / update / unchanged per resource) and change nothing')
    .addHelpText(
      'after',
      `
Every resource name derives from --name, the account and the region; running setup again
changes only what differs from the options given (options left out return to their defaults).

Examples:
  $ stockpipe setup --email you@example.com
  $ stockpipe setup --dry-run
  $ stockpipe setup --name markets --region eu-west-1 --strategy threshold --thresh-pct 2
  $ stockpipe setup --alert-lang es --log-retention 30 --json`,
    )
    .action(
      bindAction(
        runner,
        async (context, flags: Record<string, unknown>) => {
          const { parseSetupFlags } = await import('../../commands/setup/options.ts');
          const options = parseSetupFlags(flags);
          if (context.settings.target === 'local' && options.emailsGiven) {
            throw new UsageError('--email has no meaning offline: local alerts go to .stockpipe/local/logs/alerts.log');
          }
          const { runSetup } = await import('../../commands/setup/run.ts');
          try {
            return await runSetup(options, await pipelineDeps(context));
          } finally {
            await context.aws.destroy();
          }
        },
        { createsLocalStack: true },
      ),
    );
}
