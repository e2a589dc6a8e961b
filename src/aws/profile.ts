/**
 * Whether a named profile exists in the shared AWS files. The SDK answers a missing profile with
 * "Could not load credentials from any providers" (or, when the region came from that profile,
 * "Region is missing"), which never names the profile: checking the files first lets us say so.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

type Env = Record<string, string | undefined>;

/** The shared config and credentials files, where the SDK looks for them. */
export function sharedFiles(env: Env): { config: string; credentials: string } {
  const home = env.HOME || env.USERPROFILE || homedir();
  return {
    config: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
  };
}

/** Section names of an INI file ([name] or [profile name]); none when it cannot be read. */
function sections(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return [...text.matchAll(/^\s*\[\s*([^\]]+?)\s*\]/gm)].map((match) => match[1] as string);
}

export function profileExists(profile: string, env: Env): boolean {
  const files = sharedFiles(env);
  // The config file names profiles `[profile x]` (and the default one `[default]`); credentials `[x]`.
  const inConfig = sections(files.config).some(
    (section) => section.replace(/^profile\s+/, '') === profile && (section !== profile || profile === 'default'),
  );
  return inConfig || sections(files.credentials).includes(profile);
}
