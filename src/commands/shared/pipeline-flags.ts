/**
 * The flags a command suggested in a message needs to reach the same pipeline again, so that
 * "run `stockpipe setup --name markets --target local`" can be pasted as it is.
 */
import { DEFAULT_PIPELINE_NAME } from '../../core/names.ts';
import type { Target } from '../../settings/validate.ts';

export interface PipelineRef {
  name: string;
  target?: Target;
}

/** '' for the default pipeline on AWS; ' --name markets --target local' otherwise. */
export function pipelineFlags({ name, target }: PipelineRef): string {
  return `${name === DEFAULT_PIPELINE_NAME ? '' : ` --name ${name}`}${target === 'local' ? ' --target local' : ''}`;
}
