/**
 * Builds what every command receives: resolved settings and the IO, from the merged global flags.
 * Validation happens here, before any command does any work, so bad input never reaches AWS.
 */
import type { Command } from 'commander';
import { AwsClients } from '../aws/clients.ts';
import { localTargetClients } from '../local/target.ts';
import { type ResolvedSettings, resolveSettings, type Settings, settingValues } from '../settings/resolve.ts';
import { createIO, type IO } from '../ui/io.ts';
import { collectGlobalFlags } from './global-options.ts';
import type { ProcessHandles } from './process-handles.ts';

export interface CommandContext {
  io: IO;
  settings: Settings;
  resolved: ResolvedSettings;
  configFile?: string;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop and flush when it fires. */
  signal: AbortSignal;
  /** AWS clients, created on first use: the resolved region and profile, or the local stack. */
  aws: AwsClients;
}

export interface ContextOptions {
  /** The command creates the pipeline, so with --target local it may start a stack where none ran. */
  createsLocalStack?: boolean;
}

export function createContext(command: Command, handles: ProcessHandles, options: ContextOptions = {}): CommandContext {
  const flags = collectGlobalFlags(command);
  const io = createIO(handles, {
    json: flags.json === true,
    verbose: flags.verbose === true,
    yes: flags.yes === true,
    color: flags.color !== false,
  });
  const { settings: resolved, configFile } = resolveSettings({
    flags: { name: flags.name, region: flags.region, profile: flags.profile, target: flags.target },
    env: handles.env,
    cwd: handles.cwd,
    ...(flags.config !== undefined ? { configPath: flags.config } : {}),
  });
  const settings = settingValues(resolved);
  return {
    io,
    settings,
    aws:
      settings.target === 'local'
        ? localTargetClients(handles.cwd, { mayCreateStack: options.createsLocalStack === true })
        : new AwsClients({
            ...(settings.region ? { region: settings.region } : {}),
            ...(settings.profile ? { profile: settings.profile } : {}),
            env: handles.env,
          }),
    resolved,
    ...(configFile ? { configFile } : {}),
    cwd: handles.cwd,
    signal: handles.signal,
  };
}
