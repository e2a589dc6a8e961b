/**
 * The commander program, built from the command definitions (src/commands/<command>/command.ts).
 * Global options are declared once on the program, as commander's own global options: accepted
 * before or after the command name, and listed in each command's help after its own options.
 */
import { Command, type Help, type Option } from 'commander';
import {
  type AnyCommandDefinition,
  type CommandTree,
  type Example,
  GLOBAL_FLAGS,
  GLOBAL_OPTIONS,
  type GlobalOption,
} from '../commands/command.ts';
import { optionOf } from '../commands/flags.ts';
import { unbreakable, wrapLine, wrapText } from '../ui/wrap.ts';

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
  /** The terminal's width when stdout (stderr) is one: help is laid out to it, else to 80. */
  getOutHelpWidth?(): number | undefined;
  getErrHelpWidth?(): number | undefined;
}

export function buildProgram(
  definitions: readonly AnyCommandDefinition[],
  version: string,
  output: Output,
  dispatch: Dispatch,
  /** How the person runs stockpipe (src/cli/context.ts invocationOf): the examples say it so. */
  invocation = 'stockpipe',
): Command {
  // Help text of our own (details, examples) laid out to the same width as commander's part.
  const helpWidth = (error: boolean) =>
    Math.min((error ? output.getErrHelpWidth : output.getOutHelpWidth)?.() ?? 80, HELP_MAX_WIDTH);
  const after =
    (details: string | undefined, examples: readonly Example[], trailer?: string) =>
    ({ error }: { error: boolean }) => {
      const width = helpWidth(error);
      const list = examples.map((example) => ({ ...example, command: runAs(example.command, invocation) }));
      return `${details ? `\n${wrapText(details, width, '')}\n` : ''}${examplesText(list, width, trailer)}`;
    };
  const configured = (command: Command, hidden: readonly GlobalOption[] = []) =>
    command
      .helpOption('-h, --help', 'show help')
      .exitOverride()
      .showSuggestionAfterError(true)
      .configureOutput({
        ...output,
        getOutHelpWidth: () => helpWidth(false),
        getErrHelpWidth: () => helpWidth(true),
        // One line per error: commander puts its "(Did you mean …?)" on a line of its own.
        outputError: (text, write) => {
          const line = text.trimEnd().replace(/\n+/g, ' ');
          const hint = line.startsWith('error: unknown command')
            ? `; see \`${invocation}${pathOf(command)} --help\``
            : '';
          write(`${wrapLine(`${line}${hint}`, output.getErrHelpWidth?.())}\n`);
        },
      })
      .configureHelp({
        showGlobalOptions: true,
        styleTitle: (title: string) => (title === 'Global Options:' ? 'Inherited Options:' : title),
        visibleGlobalOptions: (cmd: Command): Option[] =>
          globalOptionsOf(cmd).filter((option) => !hidden.includes(option.attributeName() as GlobalOption)),
      } as Partial<Help>);

  const program = configured(new Command('stockpipe'))
    .description('Build, feed, query, watch and tear down a real-time stock analytics pipeline on AWS — or offline.')
    .version(version, '-V, --version', 'print the stockpipe version');
  for (const flag of GLOBAL_FLAGS) program.addOption(optionOf(flag));
  program.addHelpText(
    'after',
    after(
      undefined,
      PROGRAM_EXAMPLES,
      `
Every command takes the global options, before or after its name, and --help.
Exit codes: 0 success, 1 failure, 2 bad usage, 130 cancelled. Ctrl+C ends a command that was running until stopped (stream after flushing, tail, watch, demo) with 0; one cancelled part-way or at a question (setup, cleanup, query) says what was changed and exits 130.`,
    ),
  );

  const add = (parent: Command, definition: AnyCommandDefinition) => {
    const command = configured(parent.command(definition.name), definition.ignores).description(definition.summary);
    for (const argument of definition.arguments ?? []) command.argument(argument.syntax, argument.description);
    for (const flag of definition.flags ?? []) command.addOption(optionOf(flag));
    command.addHelpText('after', after(prose(definition.details), definition.examples));
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

/** The program as completion sees it: every command, subcommand and flag (--help included). */
export function commandTreeOf(command: Command, root = true): CommandTree {
  const flags = root ? command.options.filter((option) => option.long !== '--version') : command.options;
  return {
    name: command.name(),
    summary: command.description(),
    options: [
      ...flags.flatMap((option) => [option.long, option.short]),
      ...(root ? ['--help', '--version'] : []),
    ].filter((flag): flag is string => flag !== undefined),
    valued: flags
      .filter((option) => option.required || option.optional)
      .flatMap((option) => [option.long, option.short])
      .filter((flag): flag is string => flag !== undefined),
    subcommands: command.commands.map((sub) => commandTreeOf(sub, false)),
  };
}

/** ' local' for `stockpipe local`, '' for the program itself. */
function pathOf(command: Command): string {
  let path = '';
  for (let at: Command | null = command; at?.parent; at = at.parent) path = ` ${at.name()}${path}`;
  return path;
}

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

/** A details paragraph is prose: its own line breaks give way to the terminal's width. */
function prose(details: string | undefined): string | undefined {
  return details?.trim().replace(/(?<=\S)\n(?=\S)/g, ' ');
}

/** Help is laid out for at most this many columns: wider lines are hard to read. */
const HELP_MAX_WIDTH = 100;

/**
 * One example per line, its note after it as a shell comment, so the line pastes as it is. Where
 * it does not fit, the note goes on the next line, and a command too long for the line is
 * continued with ` \\` — never broken in the middle of a word.
 */
function examplesText(examples: readonly Example[], width: number, trailer = ''): string {
  const lines = examples.flatMap((example) => {
    const command = continued(`  $ ${example.command}`, width, '      ');
    if (!example.note) return command;
    const last = command.length - 1;
    const withNote = `${command[last]}  # ${example.note}`;
    if (withNote.length <= width) return [...command.slice(0, last), withNote];
    return [...command, wrapLine(`      # ${example.note}`, width, '  # ')];
  });
  return `\nExamples:\n${lines.join('\n')}${trailer ? `\n${wrapText(trailer, width, '')}` : ''}`;
}

/** A shell command over as many lines as it needs, each but the last ending in ` \\`. */
function continued(command: string, width: number, indent: string): string[] {
  if (command.length <= width) return [command];
  const lines: string[] = [];
  let current = '';
  for (const word of unbreakable(command.trimStart())) {
    const start = current === '' ? (lines.length === 0 ? (command.match(/^ */)?.[0] ?? '') : indent) : '';
    const candidate = current === '' ? `${start}${word}` : `${current} ${word}`;
    if (candidate.length + 2 <= width || current === '') current = candidate;
    else {
      lines.push(`${current} \\`);
      current = `${indent}${word}`;
    }
  }
  lines.push(current);
  return lines;
}

/** An example as the person would type it: `stockpipe …` becomes `npx stockpipe …` where that is how it runs. */
export function runAs(command: string, invocation: string): string {
  return command.replace(/(^|\s|\$\()stockpipe(?= |\)|$)/g, `$1${invocation}`);
}
