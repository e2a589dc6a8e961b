/**
 * Real data kept beside the repository in ../shared/data (the only place the project may read it
 * from; it is never copied in). On a developer's machine without it the tests that need it skip
 * and say why; in CI (CI=true) a missing file is a broken checkout, so they run and fail loudly.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHARED_DATA = join(fileURLToPath(new URL('../../', import.meta.url)), '..', 'shared', 'data');

export interface SharedDataFile {
  path: string;
  /** For `it(..., { skip })`: a reason to skip, or false to run. */
  skip: string | false;
}

export function sharedDataFile(name: string): SharedDataFile {
  const path = join(SHARED_DATA, name);
  const missing = !existsSync(path);
  const skip = missing && process.env.CI !== 'true' ? `no ../shared/data/${name} beside the repository` : false;
  return { path, skip };
}

/** Fails with one clear line when the file is missing (reached only in CI, where nothing skips). */
export function requireSharedData(file: SharedDataFile): string {
  if (!existsSync(file.path)) {
    throw new Error(`${file.path} is missing: CI must lay ../shared beside the repository`);
  }
  return file.path;
}
