/**
 * The commander program: global options, help text and the registered commands.
 * Each command's registration lives in ./commands/<name>.ts and loads its implementation lazily,
 * so `stockpipe --help` never pays for the AWS SDK.
 */
import { Command } from 'commander';
import { registerAlerts } from './commands/alerts.ts';
import { registerCleanup } from './commands/cleanup.ts';
import { registerConfig } from './commands/config.ts';
import { registerDemo } from './commands/demo.ts';
import { registerLocal } from './commands/local.ts';
import { registerQuery } from './commands/query.ts';
import { registerRedrive } from './commands/redrive.ts';
import { registerSetup } from './commands/setup.ts';
import { registerStatus } from './commands/status.ts';
import { registerStream } from './commands/stream.ts';
import { registerTail } from './commands/tail.ts';
import { registerWatch } from './commands/watch.ts';
import { addGlobalOptions } from './global-options.ts';
import type { Runner } from './run-command.ts';

/** Registration functions, one per built command, in the order --help lists them. */
const COMMANDS: ((program: Command, runner: Runner) => void)[] = [
  registerDemo,
  registerSetup,
  registerStream,
  registerQuery,
  registerTail,
  registerStatus,
  registerAlerts,
  registerRedrive,
  registerWatch,
  registerCleanup,
  registerConfig,
  registerLocal,
];

export function buildProgram(runner: Runner, version: string): Command {
  const { stdout, stderr } = runner.handles;
  const output = {
    writeOut: (text: string) => stdout.write(text),
    writeErr: (text: string) => stderr.write(text),
    // One line per error: commander puts its "(Did you mean …?)" on a line of its own.
    outputError: (text: string, write: (text: string) => void) => write(`${text.trimEnd().replace(/\n+/g, ' ')}\n`),
  };
  const program = addGlobalOptions(new Command('stockpipe'))
    .description('Build, feed, query, watch and tear down a real-time stock analytics pipeline on AWS — or offline.')
    .version(version, '-V, --version', 'print the stockpipe version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(output)
    .addHelpText(
      'after',
      `
Examples:
  $ stockpipe demo                                the whole pipeline offline, about a minute
  $ stockpipe setup --email you@example.com       build it on AWS (idempotent)
  $ stockpipe stream --symbol AAPL --symbol MSFT  feed it from Yahoo Finance
  $ stockpipe query top-movers                    SQL over the lake
  $ stockpipe tail --follow                       both Lambdas' logs
  $ stockpipe cleanup                             delete everything
  $ stockpipe setup --target local                any command, offline

Every command takes the global options, before or after its name, and --help.
Exit codes: 0 success, 1 failure, 2 bad usage.`,
    );

  for (const register of COMMANDS) register(program, runner);
  for (const command of program.commands) {
    command.exitOverride().configureOutput(output);
    command.showSuggestionAfterError(true);
  }
  return program;
}
