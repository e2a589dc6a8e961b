/** The one place the target is chosen: from the resolved settings, once per command run. */
import type { Settings } from '../settings/resolve.ts';
import { awsTarget } from './aws.ts';
import { localTarget } from './local.ts';
import type { Target, TargetOptions } from './target.ts';

export function createTarget(
  settings: Settings,
  process: { env: Record<string, string | undefined>; cwd: string },
  options: TargetOptions = {},
): Target {
  return settings.target === 'local' ? localTarget(process.cwd, options) : awsTarget(settings, process.env);
}
