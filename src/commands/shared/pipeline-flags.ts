/**
 * The flags a command suggested in a message needs to reach the same pipeline again, so that
 * "run `stockpipe setup --name markets --target local`" can be pasted as it is.
 */
import { DEFAULT_PIPELINE_NAME } from '../../core/names.ts';

export interface PipelineRef {
  name: string;
  /** The target's own flags (Target.flags): '' on AWS, ' --target local' offline. */
  targetFlags?: string;
}

/** '' for the default pipeline on AWS; ' --name markets --target local' otherwise. */
export function pipelineFlags({ name, targetFlags = '' }: PipelineRef): string {
  return `${name === DEFAULT_PIPELINE_NAME ? '' : ` --name ${name}`}${targetFlags}`;
}
