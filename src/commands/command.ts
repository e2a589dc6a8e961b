/**
 * The one shape of a command. Each command folder holds a `command.ts` whose default export is a
 * definition — name, summary, typed flags, examples, a `parse` that validates the flags into the
 * command's options before anything touches the network, and a `run` that builds the command's
 * deps from the context and calls the folder's `run(options, deps)`. The CLI (src/cli) turns the
 * definitions into commander commands, builds the context once, and owns the target's lifecycle.
 */
import type { ResolvedSettings, Settings } from '../settings/resolve.ts';
import type { Target, TargetOptions } from '../targets/target.ts';
import type { IO } from '../ui/io.ts';
import { type FlagSpec, type FlagsOf, keyOf } from './flags.ts';

export type { FlagSpec, FlagsOf } from './flags.ts';

/**
 * The global options, declared once: the program's options (src/cli/program.ts), the flags the
 * CLI reads (src/cli/context.ts), the pre-scan for a mistyped command (src/cli/main.ts) and the
 * docs check all read this table.
 */
export const GLOBAL_FLAGS = [
  { syntax: '--name <pipeline>', description: 'pipeline name, part of every resource name (default: stockpipe)' },
  { syntax: '--region <region>', description: 'AWS region (default: AWS_REGION or the profile’s region)' },
  { syntax: '--profile <profile>', description: 'AWS shared-config profile' },
  { syntax: '--target <target>', description: 'aws (default) or local: the embedded offline stack' },
  { syntax: '--config <file>', description: 'settings file (default: ./stockpipe.config.json when present)' },
  { syntax: '--json', description: 'machine-readable output: one JSON document (NDJSON for streams)' },
  { syntax: '-y, --yes', description: 'answer yes to confirmations; never prompt' },
  { syntax: '--no-color', description: 'disable colour (NO_COLOR is honoured too)' },
  { syntax: '--verbose', description: 'debug output and stack traces' },
] as const satisfies readonly FlagSpec[];

/** The global flags as commander hands them over: `{ name?: string, …, color?: boolean }`. */
export type GlobalFlags = FlagsOf<typeof GLOBAL_FLAGS>;
export type GlobalOption = keyof GlobalFlags;
/** Their keys, in order; a command lists the ones that mean nothing to it, so its help leaves them out. */
export const GLOBAL_OPTIONS = GLOBAL_FLAGS.map((flag) => keyOf(flag) as GlobalOption);

export interface ArgumentSpec {
  /** '<name>' (required) or '[sql]' (optional). */
  syntax: string;
  description: string;
}

export interface Example {
  command: string;
  note?: string;
}

/** What `parse` may look at besides the flags: everything known before any network call. */
export interface ParseContext {
  args: string[];
  settings: Settings;
  resolved: ResolvedSettings;
  json: boolean;
  cwd: string;
  now: Date;
}

/** What `run` receives: built once by the CLI for this run. */
export interface CommandContext {
  io: IO;
  settings: Settings;
  resolved: ResolvedSettings;
  configFile?: string;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop and flush when it fires. */
  signal: AbortSignal;
  /** Where the pipeline lives; its clients are destroyed by the CLI when `run` returns. */
  target: Target;
  /** How the person runs stockpipe (`stockpipe` or `npx stockpipe`), for suggested commands. */
  invocation: string;
  /** The program's commands and flags, as the CLI built them (for `completion`). */
  commandTree?: () => CommandTree;
}

/** A command as completion sees it: its name, summary, flags (`--name`, `-y`) and subcommands. */
export interface CommandTree {
  name: string;
  summary: string;
  options: string[];
  /** Those of `options` that take a value (`--name <pipeline>`): the next word is theirs. */
  valued: string[];
  subcommands: CommandTree[];
}

export interface CommandDefinition<Specs extends readonly FlagSpec[] = readonly FlagSpec[], Options = FlagsOf<Specs>> {
  name: string;
  /** One line, for the command list and the top of its help. */
  summary: string;
  /** More help text, shown after the options. */
  details?: string;
  arguments?: ArgumentSpec[];
  /** The command's flags (src/commands/flags.ts): `parse` receives them typed and checked. */
  flags?: Specs;
  examples: Example[];
  /** Global options that mean nothing to this command: not offered in its help. */
  ignores?: readonly GlobalOption[];
  /** Passed to the target: e.g. setup creates the pipeline, so offline it may start the stack. */
  targetOptions?: TargetOptions;
  /**
   * The command reads a pipeline that must exist (query, tail, alerts, …): where the target can
   * tell at once (offline), a missing one is said before the command runs, in the same words for all.
   */
  needsPipeline?: boolean;
  /** The only target this command runs on (demo: local): another one given explicitly is refused. */
  runsOn?: Settings['target'];
  subcommands?: AnyCommandDefinition[];
  /**
   * Turns the flags, already checked against their specs, into options; throws UsageError (exit 2)
   * on what only this command can tell is bad. Imports lazily: start-up loads every definition.
   */
  parse?: (flags: FlagsOf<Specs>, context: ParseContext) => Options | Promise<Options>;
  /** Does the work; resolves to the exit code (0 when nothing). */
  run?: (options: Options, context: CommandContext) => Promise<number | undefined>;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of definitions of differing flag and option types
export type AnyCommandDefinition = CommandDefinition<any, any>;

/**
 * Identity with type inference, as wrangler's defineCommand: the flags' type comes from `flags`
 * (declare them `as const`), the options' from what `parse` returns.
 */
export function defineCommand<const Specs extends readonly FlagSpec[] = [], Options = FlagsOf<Specs>>(
  definition: CommandDefinition<Specs, Options>,
): CommandDefinition<Specs, Options> {
  return definition;
}
