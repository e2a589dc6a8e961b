/**
 * The one way a suggested command is built, so every one runs exactly as printed: it starts the
 * way the person runs stockpipe (`npx stockpipe` in a checkout, where bare `stockpipe` is not on
 * PATH: see src/cli/context.ts invocationOf) and carries every flag that chose the pipeline —
 * `--name`, `--target`, and on AWS the `--region` and `--profile` given as flags or in a settings
 * file — e.g. "run `npx stockpipe setup --name markets --target local`".
 */
import { DEFAULT_PIPELINE_NAME } from '../../core/names.ts';
import type { CommandContext } from '../command.ts';

/** How a suggested command names a pipeline: its name, the flags that locate it, how stockpipe is run. */
export interface PipelineAddress {
  name: string;
  /** The flags that choose where the pipeline lives (whereFlags): '' on AWS by default, ' --target local' offline. */
  targetFlags?: string;
  /** How the person runs stockpipe: `stockpipe` (installed) or `npx stockpipe` (default `stockpipe`). */
  invocation?: string;
}

/** The pipeline as the context names it. */
export function pipelineAddress(
  context: Pick<CommandContext, 'settings' | 'resolved' | 'target' | 'invocation'>,
): PipelineAddress {
  return { name: context.settings.name, targetFlags: whereFlags(context), invocation: context.invocation };
}

/**
 * The target's flags, and on AWS the region and profile when they came from a flag or a settings
 * file (an environment variable stays set in the shell the command is pasted into).
 */
export function whereFlags({
  settings,
  resolved,
  target,
}: Pick<CommandContext, 'settings' | 'resolved' | 'target'>): string {
  if (settings.target !== 'aws') return target.flags;
  const given = (key: 'region' | 'profile') => {
    const { value, source } = resolved[key];
    return value !== undefined && (source === 'flag' || source === 'config') ? ` --${key} ${shellWord(value)}` : '';
  };
  return `${target.flags}${given('region')}${given('profile')}`;
}

/** '' for the default pipeline on AWS; ' --name markets --target local' otherwise. */
export function pipelineFlags({ name, targetFlags = '' }: PipelineAddress): string {
  return `${name === DEFAULT_PIPELINE_NAME ? '' : ` --name ${name}`}${targetFlags}`;
}

/** `stockpipe setup`, `npx stockpipe cleanup --name markets --target local`, … */
export function suggest(ref: PipelineAddress, command: string): string {
  return `${ref.invocation ?? 'stockpipe'} ${command}${pipelineFlags(ref)}`;
}

/** A command of stockpipe's own that names no pipeline: `npx stockpipe local stop`, `stockpipe --help`. */
export function suggestPlain(invocation: string | undefined, command: string): string {
  return `${invocation ?? 'stockpipe'} ${command}`;
}

/** A value as one shell word: as it is when it holds nothing a shell reads, else single-quoted. */
export function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The one message for a local pipeline that is not there, whichever command asked for it. */
export function noLocalPipeline(ref: PipelineAddress): string {
  return `there is no pipeline ${ref.name} in the local target here (.stockpipe/local): create it with \`${suggest(ref, 'setup')}\``;
}
