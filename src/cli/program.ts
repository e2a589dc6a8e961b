/**
 * The commander program, built from the command definitions (src/commands/<command>/command.ts).
 * Global options are declared once on the program, as commander's own global options: accepted
 * before or after the command name, and listed in each command's help after its own options.
 */
import { Command, type Help, type Option } from 'commander';
import {
  type AnyCommandDefinition,
  type CommandDefinition,
  type Example,
  GLOBAL_OPTIONS,
  type GlobalOption,
} from '../commands/command.ts';

/** The program's own help examples: the real workflow, in order. */
const PROGRAM_EXAMPLES: Example[] = [
  { command: 'stockpipe demo', note: 'the whole pipeline offline, about a minute' },
  { command: 'stockpipe setup --email you@example.com', note: 'build it on AWS (idempotent)' },
  { command: 'stockpipe stream --symbol AAPL --symbol MSFT', note: 'feed it from Yahoo Finance' },
  { command: 'stockpipe query top-movers', note: 'SQL over the lake' },
  { command: 'stockpipe tail --follow', note: "both Lambdas' logs" },
  { command: 'stockpipe cleanup', note: 'delete everything' },
  { command: 'stockpipe setup --target local', note: 'any command, offline' },
];

/** Called with the command's definition, its own flags, its arguments and every global flag given. */
export type Dispatch = (
  definition: AnyCommandDefinition,
  flags: Record<string, unknown>,
  args: string[],
  globals: Record<string, unknown>,
) => Promise<void>;

export interface Output {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

export function buildProgram(
  definitions: readonly AnyCommandDefinition[],
  version: string,
  output: Output,
  dispatch: Dispatch,
): Command {
  const configured = (command: Command, hidden: readonly GlobalOption[] = []) =>
    command
      .helpOption('-h, --help', 'show help')
      .exitOverride()
      .showSuggestionAfterError(true)
      .configureOutput({
        ...output,
        // One line per error: commander puts its "(Did you mean …?)" on a line of its own.
        outputError: (text, write) => write(`${text.trimEnd().replace(/\n+/g, ' ')}\n`),
      })
      .configureHelp({
        showGlobalOptions: true,
        styleTitle: (title: string) => (title === 'Global Options:' ? 'Inherited Options:' : title),
        visibleGlobalOptions: (cmd: Command): Option[] =>
          globalOptionsOf(cmd).filter((option) => !hidden.includes(option.attributeName() as GlobalOption)),
      } as Partial<Help>);

  const program = configured(new Command('stockpipe'))
    .description('Build, feed, query, watch and tear down a real-time stock analytics pipeline on AWS — or offline.')
    .version(version, '-V, --version', 'print the stockpipe version')
    .option('--name <pipeline>', 'pipeline name, part of every resource name (default: stockpipe)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile’s region)')
    .option('--profile <profile>', 'AWS shared-config profile')
    .option('--target <target>', 'aws (default) or local: the embedded offline stack')
    .option('--config <file>', 'settings file (default: ./stockpipe.config.json when present)')
    .option('--json', 'machine-readable output: one JSON document (NDJSON for streams)')
    .option('-y, --yes', 'answer yes to confirmations; never prompt')
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)')
    .option('--verbose', 'debug output and stack traces')
    .addHelpText(
      'after',
      `${examplesText(PROGRAM_EXAMPLES)}

Every command takes the global options, before or after its name, and --help.
Exit codes: 0 success, 1 failure, 2 bad usage, 130 cancelled. Ctrl+C ends a command that was
running until stopped (stream after flushing, tail, watch, demo) with 0; one cancelled part-way
or at a question (setup, cleanup, query) says what was changed and exits 130.`,
    );

  const add = (parent: Command, definition: AnyCommandDefinition) => {
    const command = configured(parent.command(definition.name), definition.ignores).description(definition.summary);
    for (const argument of definition.arguments ?? []) command.argument(argument.syntax, argument.description);
    for (const flag of definition.flags ?? []) {
      const description = flag.required ? `${flag.description} (required)` : flag.description;
      if (flag.repeatable) command.option(flag.syntax, description, collect);
      else command.option(flag.syntax, description);
    }
    command.addHelpText('after', helpAfter(definition));
    for (const sub of definition.subcommands ?? []) add(command, sub);
    if (definition.run) {
      command.action(async (...received: unknown[]) => {
        const self = received.at(-1) as Command;
        const args = received.slice(0, -2).filter((value): value is string => typeof value === 'string');
        await dispatch(definition, self.opts(), args, globalFlags(self));
      });
    }
  };
  for (const definition of definitions) add(program, definition);
  return program;
}

/** For repeatable options (`--symbol A --symbol B`): commander calls it once per occurrence. */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The program's options, as inherited by every command below it. */
function globalOptionsOf(command: Command): Option[] {
  let root = command;
  while (root.parent) root = root.parent;
  return root === command ? [] : root.options.filter((option) => option.long !== '--version');
}

/** The global flags given anywhere on the command line (commander merges them up the chain). */
function globalFlags(command: Command): Record<string, unknown> {
  const merged = command.optsWithGlobals();
  return Object.fromEntries(GLOBAL_OPTIONS.filter((key) => merged[key] !== undefined).map((key) => [key, merged[key]]));
}

function helpAfter(definition: CommandDefinition<unknown, unknown>): string {
  return `${definition.details ? `\n${definition.details.trim()}\n` : ''}${examplesText(definition.examples)}`;
}

function examplesText(examples: readonly Example[]): string {
  const width = Math.max(...examples.map((example) => example.command.length));
  const lines = examples.map((example) =>
    example.note ? `  $ ${example.command.padEnd(width)}  ${example.note}` : `  $ ${example.command}`,
  );
  return `\nExamples:\n${lines.join('\n')}`;
}
