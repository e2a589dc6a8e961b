/** Small file helpers: atomic JSON writes (readers never see half a file) and tolerant reads. */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a temporary file, flushes it to disk, and renames it over the target: a reader, or a
 * crash at any moment, sees the old content or the new, never half of one. Private to the user.
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
}

export type JsonFileState<T> =
  | { state: 'missing' }
  | { state: 'ok'; value: T }
  /** There, but not readable or not JSON: never to be taken for "missing". */
  | { state: 'unreadable'; reason: string };

/** Tells a file that is not there from one that cannot be read now (permissions, damage, I/O). */
export function readJsonState<T>(path: string): JsonFileState<T> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'missing' };
    return { state: 'unreadable', reason: code ?? String(error) };
  }
  try {
    return { state: 'ok', value: JSON.parse(text) as T };
  } catch {
    return { state: 'unreadable', reason: 'not valid JSON' };
  }
}

/** The parsed file, or undefined when it is missing or not JSON (a crash mid-write elsewhere). */
export function readJsonFile<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A process killed while its parent still runs (a daemon started by a `stream` that goes on)
 * stays in the table as a zombie until reaped: signal 0 reaches it, yet it is dead. Linux says so
 * in /proc/<pid>/stat (state Z or X, after the parenthesised name); elsewhere assume it is not.
 */
function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}
