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

/** The global options; a command lists the ones that mean nothing to it, so its help leaves them out. */
export const GLOBAL_OPTIONS = [
  'name',
  'region',
  'profile',
  'target',
  'config',
  'json',
  'yes',
  'color',
  'verbose',
] as const;
export type GlobalOption = (typeof GLOBAL_OPTIONS)[number];

export interface FlagSpec {
  /** commander's syntax: '--email <address>', '-f, --follow', '--dry-run'. */
  syntax: string;
  description: string;
  /** May be given more than once: the values arrive as an array. */
  repeatable?: boolean;
  /** The command cannot run without it: marked in --help (parse says so when it is missing). */
  required?: boolean;
}

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

export interface CommandDefinition<Flags = Record<string, unknown>, Options = Flags> {
  name: string;
  /** One line, for the command list and the top of its help. */
  summary: string;
  /** More help text, shown after the options. */
  details?: string;
  arguments?: ArgumentSpec[];
  flags?: FlagSpec[];
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
  /** Validates the flags into options; throws UsageError (exit 2) on bad input. Imports lazily: start-up loads every definition. */
  parse?: (flags: Flags, context: ParseContext) => Options | Promise<Options>;
  /** Does the work; resolves to the exit code (0 when nothing). */
  run?: (options: Options, context: CommandContext) => Promise<number | undefined>;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of definitions of differing flag and option types
export type AnyCommandDefinition = CommandDefinition<any, any>;

/** Identity with type inference: `export default defineCommand<Flags, Options>({ … })`. */
export function defineCommand<Flags, Options = Flags>(
  definition: CommandDefinition<Flags, Options>,
): CommandDefinition<Flags, Options> {
  return definition;
}
