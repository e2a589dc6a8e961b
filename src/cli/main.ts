/**
 * `main(argv, handles)` runs the CLI once and resolves to its exit code: 0 success, 1 failure,
 * 2 bad usage, 130 cancelled. It never calls process.exit, so end-to-end tests call it directly.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { describeAwsError } from '../aws/errors.ts';
import { type CommandContext, GLOBAL_FLAGS } from '../commands/command.ts';
import { checkFlags, longOf, takesValue } from '../commands/flags.ts';
import { noLocalPipeline, pipelineAddress } from '../commands/shared/pipeline-flags.ts';
import { printable } from '../core/printable.ts';
import { CancelledError, errorMessage, PipelineNotFoundError, StockpipeError, UsageError } from '../errors.ts';
import { wrapLine } from '../ui/wrap.ts';
import { COMMANDS } from './commands.ts';
import { createContext, type GlobalFlags, invocationOf, prepare } from './context.ts';
import type { ProcessHandles } from './process-handles.ts';
import { buildProgram, commandTreeOf } from './program.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT: the person stopped the command part-way. */
export const EXIT_CANCELLED = 130;
/** 128 + SIGTERM: stopped by the system or a supervisor, as a shell reports it. */
export const EXIT_TERMINATED = 143;

/** Global options that take a value: their value is not a command name. */
const VALUE_OPTIONS = new Set(GLOBAL_FLAGS.filter(takesValue).map(longOf));

export async function main(argv: string[], handles: ProcessHandles): Promise<number> {
  let exitCode = EXIT_OK;
  // commander echoes what was typed (an unknown option, a bad value): shown escaped, never obeyed.
  const invocation = invocationOf(handles.env);
  const output = {
    writeOut: (text: string) => handles.stdout.write(printableLines(text)),
    writeErr: (text: string) => handles.stderr.write(printableLines(text)),
    getOutHelpWidth: () => widthOf(handles.stdout),
    getErrHelpWidth: () => widthOf(handles.stderr),
  };
  const program = buildProgram(
    COMMANDS,
    packageVersion(),
    output,
    async (definition, given, args, globals) => {
      const prepared = prepare(definition, globals as GlobalFlags, handles);
      const flags = checkFlags(definition.flags ?? [], given);
      const options = definition.parse
        ? await definition.parse(flags, {
            args,
            settings: prepared.settings,
            resolved: prepared.resolved,
            json: prepared.io.json,
            cwd: handles.cwd,
            now: new Date(),
          })
        : flags;
      // The one place a command runs: the target is created for it and its clients destroyed after.
      const context = createContext(definition, prepared, handles, () => commandTreeOf(program));
      try {
        if (definition.needsPipeline) await requirePipeline(context);
        exitCode = (await definition.run?.(options, context)) ?? EXIT_OK;
      } finally {
        await context.target.clients.destroy();
      }
    },
    invocation,
  );
  const verbose = argv.includes('--verbose');
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_OK;
    }
    const unknown = unknownCommand(argv, ['help', ...program.commands.map((command) => command.name())]);
    // commander says it as for a mistyped option: "unknown command 'stauts' (Did you mean status?)".
    await program.parseAsync(unknown === undefined ? argv : [unknown], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, handles, verbose);
  }
}

/**
 * The first word that is neither an option nor an option's value, when it names no command.
 * commander would answer `stockpipe no-such-command --help` with the program's help and exit 0.
 */
function unknownCommand(argv: string[], commands: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (VALUE_OPTIONS.has(word)) i++;
    else if (!word.startsWith('-')) return commands.includes(word) ? undefined : word;
  }
  return undefined;
}

/**
 * The pipeline a command reads, where the target can tell at once that it is missing (offline):
 * one message for every command, with the command that creates it.
 */
async function requirePipeline(context: CommandContext): Promise<void> {
  const { settings, target } = context;
  if (!target.hasPipeline || (await target.hasPipeline(settings.name))) return;
  throw new PipelineNotFoundError(noLocalPipeline(pipelineAddress(context)));
}

/** A stream's width when it is a terminal. */
function widthOf(stream: { isTTY?: boolean; columns?: number }): number | undefined {
  return stream.isTTY === true && stream.columns ? stream.columns : undefined;
}

function reportError(error: unknown, handles: ProcessHandles, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // commander already printed its message; help and --version end here successfully.
    const success = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    return success.includes(error.code) ? EXIT_OK : EXIT_USAGE;
  }
  const invocation = invocationOf(handles.env);
  // Messages from below the commands suggest `stockpipe …`: say it the way the person runs it.
  const runnable = (line: string) => line.replaceAll('`stockpipe ', `\`${invocation} `);
  // At a terminal, wrapped to it around (never inside) the suggested commands.
  const write = (line: string) => handles.stderr.write(`${wrapLine(line, widthOf(handles.stderr))}\n`);
  if (error instanceof CancelledError) {
    for (const line of error.message.split('\n')) write(runnable(line));
    return handles.signal?.reason === 'SIGTERM' ? EXIT_TERMINATED : EXIT_CANCELLED;
  }
  const code = error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  const message =
    error instanceof UsageError || error instanceof StockpipeError
      ? error.message
      : (describeAwsError(error) ?? `${errorMessage(error)} (run again with --verbose for details)`);
  for (const line of message.split('\n')) write(`error: ${runnable(printable(line))}`);
  if (verbose && error instanceof Error && error.stack) handles.stderr.write(`${error.stack}\n`);
  return code;
}

/** Each line of `text` printable, its line breaks kept. */
function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

let cachedVersion: string | undefined;

/** The version from package.json (two levels up from both src/cli and dist/cli). */
export function packageVersion(): string {
  cachedVersion ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return cachedVersion;
}

/** Run with the real process: signals abort the command, a second Ctrl+C exits at once. */
export async function runFromProcess(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that stops early (`stockpipe tail --follow | head`) is not a failure: end quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      // A command that listens itself (stream) stops gracefully and prints its summary.
      if (stream.listenerCount('error') === 1) process.exit(0);
    });
  }
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.exitCode = code;
  // A client or emulator socket left open must not keep a finished command alive.
  setTimeout(() => process.exit(code), 2000).unref();
}
