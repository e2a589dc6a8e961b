import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.ts';
import { bindAction, type Runner } from '../run-command.ts';

export function registerLocal(program: Command, runner: Runner): void {
  const local = addGlobalOptions(program.command('local'))
    .description('start, stop or inspect the embedded offline stack (kinesalite, dynalite, s3rver, Lambda runner)')
    .addHelpText(
      'after',
      `
The stack is one background process on 127.0.0.1; its state lives under .stockpipe/local/ of the
current folder and survives a restart. Commands run with --target local start it on demand.

Examples:
  $ stockpipe local start
  $ stockpipe local status --json
  $ stockpipe local stop
  $ stockpipe local reset --yes`,
    );
  addGlobalOptions(local.command('start'))
    .description('start the local stack in the background (does nothing when it runs)')
    .addHelpText('after', '\nExamples:\n  $ stockpipe local start\n  $ stockpipe local start --json')
    .action(
      bindAction(runner, async (context) => {
        const { runLocalStart } = await import('../../commands/local/run.ts');
        return runLocalStart(context);
      }),
    );
  addGlobalOptions(local.command('stop'))
    .description('stop the local stack; its data stays under .stockpipe/local/')
    .addHelpText('after', '\nExamples:\n  $ stockpipe local stop')
    .action(
      bindAction(runner, async (context) => {
        const { runLocalStop } = await import('../../commands/local/run.ts');
        return runLocalStop(context);
      }),
    );
  addGlobalOptions(local.command('reset'))
    .description('stop the local stack and delete .stockpipe/local: every local pipeline and its data, nothing kept')
    .addHelpText('after', '\nThe way out of a damaged store.\n\nExamples:\n  $ stockpipe local reset --yes')
    .action(
      bindAction(runner, async (context) => {
        const { runLocalReset } = await import('../../commands/local/run.ts');
        return runLocalReset(context);
      }),
    );
  addGlobalOptions(local.command('status'))
    .description('pid, ports, uptime, registered pipelines and what each local function has processed')
    .addHelpText('after', '\nExamples:\n  $ stockpipe local status\n  $ stockpipe local status --json')
    .action(
      bindAction(runner, async (context) => {
        const { runLocalStatus } = await import('../../commands/local/run.ts');
        return runLocalStatus(context);
      }),
    );
}
