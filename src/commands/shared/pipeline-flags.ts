/**
 * Commands suggested in messages are runnable exactly as printed: they start the way the person
 * runs stockpipe (`npx stockpipe` after `npm ci`) and carry the flags that reach the same
 * pipeline again, e.g. "run `npx stockpipe setup --name markets --target local`".
 */
import { DEFAULT_PIPELINE_NAME } from '../../core/names.ts';
import type { CommandContext } from '../command.ts';

export interface PipelineRef {
  name: string;
  /** The target's own flags (Target.flags): '' on AWS, ' --target local' offline. */
  targetFlags?: string;
  /** How the person runs stockpipe: `stockpipe` (installed) or `npx stockpipe` (default `stockpipe`). */
  invocation?: string;
}

/** The pipeline as the context names it. */
export function pipelineRef({ settings, target, invocation }: CommandContext): PipelineRef {
  return { name: settings.name, targetFlags: target.flags, invocation };
}

/** '' for the default pipeline on AWS; ' --name markets --target local' otherwise. */
export function pipelineFlags({ name, targetFlags = '' }: PipelineRef): string {
  return `${name === DEFAULT_PIPELINE_NAME ? '' : ` --name ${name}`}${targetFlags}`;
}

/** `stockpipe setup`, `npx stockpipe cleanup --name markets --target local`, … */
export function suggest(ref: PipelineRef, command: string): string {
  return `${ref.invocation ?? 'stockpipe'} ${command}${pipelineFlags(ref)}`;
}
