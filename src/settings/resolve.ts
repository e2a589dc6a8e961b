/**
 * Global settings, resolved with a fixed precedence: flags > environment > config file > defaults.
 * Every value remembers where it came from, so `stockpipe config` can show it.
 */

import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { DEFAULT_PIPELINE_NAME } from '../core/names.ts';
import { UsageError } from '../errors.ts';
import { readInputFile } from '../input-file.ts';
import { parsePipelineName, parseProfile, parseRegion, parseTarget, type Target } from './validate.ts';

export const DEFAULT_CONFIG_FILE = 'stockpipe.config.json';

export type SettingSource = 'flag' | 'env' | 'config' | 'default';

export interface Sourced<T> {
  value: T;
  source: SettingSource;
  /** The environment variable or file the value was read from. */
  origin?: string;
}

export interface Settings {
  name: string;
  target: Target;
  /** Undefined: the AWS SDK's own region chain (profile, instance metadata) decides. */
  region: string | undefined;
  profile: string | undefined;
}

export type ResolvedSettings = { [K in keyof Settings]: Sourced<Settings[K]> };

interface SettingDefinition<T> {
  env: readonly string[];
  parse: (raw: string) => T;
  default: T;
}

const DEFINITIONS: { [K in keyof Settings]: SettingDefinition<Settings[K]> } = {
  name: { env: ['STOCKPIPE_NAME'], parse: parsePipelineName, default: DEFAULT_PIPELINE_NAME },
  target: { env: ['STOCKPIPE_TARGET'], parse: parseTarget, default: 'aws' },
  region: { env: ['STOCKPIPE_REGION', 'AWS_REGION', 'AWS_DEFAULT_REGION'], parse: parseRegion, default: undefined },
  profile: { env: ['STOCKPIPE_PROFILE', 'AWS_PROFILE'], parse: parseProfile, default: undefined },
};

export const SETTING_KEYS = Object.keys(DEFINITIONS) as (keyof Settings)[];

export interface ResolveInput {
  flags: Partial<Record<keyof Settings, string>>;
  env: Record<string, string | undefined>;
  cwd: string;
  /** --config: must exist. Without it, ./stockpipe.config.json is read when present. */
  configPath?: string;
}

export function resolveSettings(input: ResolveInput): { settings: ResolvedSettings; configFile?: string } {
  const problems: string[] = [];
  const { values: fileValues, path: configFile } = readConfigFile(input, problems);
  const resolved: Partial<Record<keyof Settings, Sourced<unknown>>> = {};

  for (const key of SETTING_KEYS) {
    const definition = DEFINITIONS[key] as SettingDefinition<unknown>;
    const candidate = pickRaw(key, definition, input, fileValues, configFile);
    if (!candidate) {
      resolved[key] = { value: definition.default, source: 'default' };
      continue;
    }
    try {
      const value = definition.parse(candidate.raw);
      resolved[key] = { value, source: candidate.source, ...(candidate.origin ? { origin: candidate.origin } : {}) };
    } catch (error) {
      problems.push(`${describeOrigin(key, candidate)}: ${(error as Error).message}`);
    }
  }

  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return { settings: resolved as ResolvedSettings, ...(configFile ? { configFile } : {}) };
}

/** Plain values, for code that does not care where they came from. */
export function settingValues(settings: ResolvedSettings): Settings {
  return {
    name: settings.name.value,
    target: settings.target.value,
    region: settings.region.value,
    profile: settings.profile.value,
  };
}

type RawCandidate = { raw: string; source: SettingSource; origin?: string };

function pickRaw(
  key: keyof Settings,
  definition: SettingDefinition<unknown>,
  input: ResolveInput,
  fileValues: Record<string, string>,
  configFile: string | undefined,
): RawCandidate | undefined {
  const flag = input.flags[key];
  if (flag !== undefined) return { raw: flag, source: 'flag' };
  for (const variable of definition.env) {
    const value = input.env[variable];
    if (value !== undefined && value !== '') return { raw: value, source: 'env', origin: variable };
  }
  const fromFile = fileValues[key];
  if (fromFile !== undefined && configFile) return { raw: fromFile, source: 'config', origin: configFile };
  return undefined;
}

function describeOrigin(key: keyof Settings, candidate: RawCandidate): string {
  if (candidate.source === 'flag') return `--${key}`;
  if (candidate.source === 'env') return candidate.origin ?? key;
  return `${candidate.origin ?? 'config'} key '${key}'`;
}

/** A settings file is a few lines of JSON. */
const MAX_CONFIG_BYTES = 1024 * 1024;

function readConfigFile(input: ResolveInput, problems: string[]): { values: Record<string, string>; path?: string } {
  const explicit = input.configPath !== undefined;
  const path = resolvePath(input.cwd, input.configPath ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(path)) {
    if (explicit) throw new UsageError(`config file not found: ${input.configPath} — check the path given to --config`);
    return { values: {} };
  }
  const text = readInputFile(path, `config file ${path}`, MAX_CONFIG_BYTES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${path} must hold a JSON object such as {"name": "stockpipe", "region": "us-east-1"}`);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (key === '$schema') continue;
    if (!(SETTING_KEYS as string[]).includes(key)) {
      problems.push(`${path}: unknown key '${key}' (known keys: ${SETTING_KEYS.join(', ')})`);
    } else if (typeof value !== 'string') {
      problems.push(`${path}: key '${key}' must be a string, got ${value === null ? 'null' : typeof value}`);
    } else {
      values[key] = value;
    }
  }
  return { values, path };
}
