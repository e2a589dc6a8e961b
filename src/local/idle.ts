/**
 * The local stack lives while a pipeline exists. When the last one is removed, stop the stack and
 * delete its state folder, so cleanup leaves nothing behind (AWS setups' own state files in
 * .stockpipe/ stay).
 */
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { localPaths, localStateExists } from './paths.ts';
import { listLocalPipelines } from './pipelines.ts';
import { stopLocalStack } from './stack.ts';

/** True when the stack was stopped and its folder removed; false while pipelines remain or nothing was there. */
export async function stopIdleLocalStack(cwd: string): Promise<boolean> {
  if (!localStateExists(cwd) || listLocalPipelines(cwd).length > 0) return false;
  await stopLocalStack(cwd);
  const { root } = localPaths(cwd);
  rmSync(root, { recursive: true, force: true });
  const parent = dirname(root);
  try {
    if (readdirSync(parent).length === 0) rmdirSync(parent);
  } catch {
    // .stockpipe/ holds other things, or is gone already
  }
  return true;
}
