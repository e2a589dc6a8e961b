/**
 * An exclusive lock file holding the owner's pid. It is written whole to a temporary file first
 * and hard-linked into place (the link fails if the lock exists), so a lock file is never seen
 * empty or half-written. Two processes that race to start the stack serialise here; a lock left by
 * a dead process, or unreadable, is broken by renaming it away (atomic, so only one breaker wins).
 */
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StockpipeError } from '../errors.ts';
import { isProcessAlive } from './files.ts';

export interface HeldLock {
  release(): void;
}

export async function acquireLock(
  path: string,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<HeldLock> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  mkdirSync(dirname(path), { recursive: true });
  for (;;) {
    if (tryCreate(path)) {
      return { release: () => releaseIfOurs(path) };
    }
    const holder = readHolder(path);
    if (holder === undefined || !isProcessAlive(holder)) breakStaleLock(path, holder);
    if (Date.now() > deadline) {
      throw new StockpipeError(
        `timed out waiting for ${options.what ?? 'a lock'} held by process ${holder ?? '?'} (${path}); if no stockpipe process is running, delete that file`,
      );
    }
    await sleep(50);
  }
}

/**
 * The lock at once, or the pid of the live process holding it. A lock left by a dead process is
 * broken and taken. For a lock held for a process's whole life (the daemon's).
 */
export function tryAcquireLock(path: string): HeldLock | { heldBy: number } {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path)) return { release: () => releaseIfOurs(path) };
    const holder = readHolder(path);
    if (holder !== undefined && isProcessAlive(holder)) return { heldBy: holder };
    breakStaleLock(path, holder);
  }
  const holder = readHolder(path);
  return { heldBy: holder ?? 0 };
}

/** The live process holding a lock file, if any. */
export function lockHolder(path: string): number | undefined {
  const holder = readHolder(path);
  return holder !== undefined && isProcessAlive(holder) ? holder : undefined;
}

function tryCreate(path: string): boolean {
  const written = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(written, String(process.pid), { flag: 'wx' });
  try {
    linkSync(written, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(written, { force: true });
  }
}

function readHolder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the lock if it still holds `deadPid` (undefined: no readable pid, which no holder writes). */
function breakStaleLock(path: string, deadPid: number | undefined): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else broke it first
  }
  // Between our read and our rename another process may have broken it and taken it: give it back.
  if (readHolder(aside) !== deadPid) {
    try {
      renameSync(aside, path);
    } catch {
      // best effort
    }
    return;
  }
  rmSync(aside, { force: true });
}

function releaseIfOurs(path: string): void {
  if (readHolder(path) === process.pid) rmSync(path, { force: true });
}
