/**
 * Global options, declared once and attached to the program and to every command, so they are
 * accepted before or after the command name (`stockpipe --json config` = `stockpipe config --json`).
 */
import type { Command } from 'commander';

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

/** For repeatable options (`--symbol A --symbol B`): commander calls it once per occurrence. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function addGlobalOptions(command: Command): Command {
  return command
    .option('--name <pipeline>', 'pipeline name, part of every resource name (default: stockpipe)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile’s region)')
    .option('--profile <profile>', 'AWS shared-config profile')
    .option('--target <target>', 'aws (default) or local: the embedded offline stack')
    .option('--config <file>', 'settings file (default: ./stockpipe.config.json when present)')
    .option('--json', 'machine-readable output: one JSON document (NDJSON for streams)')
    .option('-y, --yes', 'answer yes to confirmations; never prompt')
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)')
    .option('--verbose', 'debug output and stack traces');
}

/** Merge the flags given on the program and on the command; the one nearer the command wins. */
export function collectGlobalFlags(command: Command): GlobalFlags {
  const chain: Command[] = [];
  for (let current: Command | null = command; current; current = current.parent) chain.unshift(current);
  const merged: GlobalFlags = {};
  for (const level of chain) {
    const opts = level.opts() as GlobalFlags;
    for (const key of ['name', 'region', 'profile', 'target', 'config'] as const) {
      if (opts[key] !== undefined) merged[key] = opts[key];
    }
    for (const key of ['json', 'yes', 'verbose'] as const) {
      if (opts[key] === true) merged[key] = true;
    }
    // --no-color defaults to true on every level; any level saying false turns colour off.
    if (opts.color === false) merged.color = false;
  }
  merged.color ??= true;
  return merged;
}
