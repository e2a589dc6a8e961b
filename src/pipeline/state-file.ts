/**
 * .stockpipe/<name>.json: the settings and ARNs of the last setup, for people and tools to read.
 * Nothing depends on it: every name is deterministic, so cleanup and status work without it.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function stateFilePath(cwd: string, name: string): string {
  return join(cwd, '.stockpipe', `${name}.json`);
}

export async function writeStateFile(cwd: string, name: string, content: unknown): Promise<string> {
  const path = stateFilePath(cwd, name);
  await mkdir(join(cwd, '.stockpipe'), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  return path;
}

export async function removeStateFile(cwd: string, name: string): Promise<void> {
  await rm(stateFilePath(cwd, name), { force: true });
}
