/**
 * Builds what a command receives, from the definition and the global flags: the IO, the resolved
 * settings and the target. Settings are validated here, before any command does any work, so bad
 * input never reaches AWS.
 */
import type { AnyCommandDefinition, CommandContext } from '../commands/command.ts';
import { UsageError } from '../errors.ts';
import { type ResolvedSettings, resolveSettings, type Settings, settingValues } from '../settings/resolve.ts';
import { createTarget } from '../targets/create.ts';
import { createIO, type IO } from '../ui/io.ts';
import type { ProcessHandles } from './process-handles.ts';

export interface GlobalFlags {
  name?: string;
  region?: string;
  profile?: string;
  target?: string;
  config?: string;
  json?: boolean;
  yes?: boolean;
  color?: boolean;
  verbose?: boolean;
}

export interface Prepared {
  io: IO;
  settings: Settings;
  resolved: ResolvedSettings;
  configFile?: string;
}

/** The IO and the settings: everything known before any network call. */
export function prepare(definition: AnyCommandDefinition, flags: GlobalFlags, handles: ProcessHandles): Prepared {
  const io = createIO(handles, {
    json: flags.json === true,
    verbose: flags.verbose === true,
    yes: flags.yes === true,
    color: flags.color !== false,
  });
  const { settings: resolved, configFile } = resolveSettings({
    flags: {
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.region !== undefined ? { region: flags.region } : {}),
      ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
      ...(flags.target !== undefined ? { target: flags.target } : {}),
    },
    env: handles.env,
    cwd: handles.cwd,
    ...(flags.config !== undefined ? { configPath: flags.config } : {}),
  });
  if (definition.runsOn && resolved.target.value !== definition.runsOn) {
    if (resolved.target.source !== 'default') {
      throw new UsageError(
        `${definition.name} runs on the ${definition.runsOn} target only: drop --target ${resolved.target.value}`,
      );
    }
    resolved.target = { value: definition.runsOn, source: 'default' };
  }
  return { io, settings: settingValues(resolved), resolved, ...(configFile ? { configFile } : {}) };
}

/** The context of one run: the target is created here, and only here. */
export function createContext(
  definition: AnyCommandDefinition,
  prepared: Prepared,
  handles: ProcessHandles,
): CommandContext {
  return {
    ...prepared,
    cwd: handles.cwd,
    signal: handles.signal,
    target: createTarget(prepared.settings, handles, definition.targetOptions),
  };
}
