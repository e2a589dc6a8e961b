/**
 * Builds what a command receives, from the definition and the global flags: the IO, the resolved
 * settings and the target. Settings are validated here, before any command does any work, so bad
 * input never reaches AWS.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { AnyCommandDefinition, CommandContext, GlobalFlags } from '../commands/command.ts';
import { UsageError } from '../errors.ts';
import { type ResolvedSettings, resolveSettings, type Settings, settingValues } from '../settings/resolve.ts';
import { createTarget } from '../targets/create.ts';
import { createIO, type IO } from '../ui/io.ts';
import type { ProcessHandles } from './process-handles.ts';

export type { GlobalFlags } from '../commands/command.ts';

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
  commandTree?: CommandContext['commandTree'],
): CommandContext {
  return {
    ...prepared,
    cwd: handles.cwd,
    signal: handles.signal,
    target: createTarget(prepared.settings, handles, definition.targetOptions),
    invocation: invocationOf(handles.env),
    ...(commandTree ? { commandTree } : {}),
  };
}

/**
 * How the person runs stockpipe, so that a suggested command can be pasted: through npx (npm
 * sets npm_command=exec), as an installed `stockpipe` on PATH, or else — after `npm ci` in a
 * checkout, where bare `stockpipe` is not found — `npx stockpipe`.
 */
export function invocationOf(env: Record<string, string | undefined>): string {
  if (env.npm_command === 'exec') return 'npx stockpipe';
  const installed = (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'stockpipe')));
  return installed ? 'stockpipe' : 'npx stockpipe';
}
