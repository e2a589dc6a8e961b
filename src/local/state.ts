/** The state file of a running stack: written by the daemon once it listens, removed when it stops. */
import { rmSync } from 'node:fs';
import type { AccessKey } from './daemon/sigv4.ts';
import { isProcessAlive, readJsonFile, writeJsonAtomic } from './files.ts';
import { localPaths } from './paths.ts';

export interface LocalEndpoints {
  kinesis: string;
  /** The DynamoDB endpoint clients use: the stream-deriving proxy in front of dynalite. */
  dynamodb: string;
  s3: string;
  /** The stack's own key: the endpoints answer no other (src/local/credentials.ts). */
  credentials: AccessKey;
}

export interface LocalStackState {
  pid: number;
  /** ISO-8601 UTC. */
  startedAt: string;
  ports: { kinesis: number; dynamodb: number; dynalite: number; s3: number; control: number };
  endpoints: LocalEndpoints;
  /** The daemon's own HTTP endpoint: GET /status. */
  control: string;
  /** False when kinesalite runs in memory (no leveldown binary for this platform). */
  kinesisPersistent: boolean;
  /** The module the runner loads handlers from. */
  handlerLoader: string | null;
}

export function readStackState(cwd: string): LocalStackState | undefined {
  const state = readJsonFile<LocalStackState>(localPaths(cwd).stateFile);
  return state && typeof state.pid === 'number' && state.endpoints ? state : undefined;
}

export function writeStackState(cwd: string, state: LocalStackState): void {
  writeJsonAtomic(localPaths(cwd).stateFile, state);
}

/** Removes the state file, only if it still describes the given pid (a newer stack keeps its own). */
export function removeStackState(cwd: string, pid: number): void {
  const state = readStackState(cwd);
  if (state === undefined || state.pid === pid) rmSync(localPaths(cwd).stateFile, { force: true });
}

/** The state of a live stack; a state whose pid is gone is stale and reported as such. */
export function liveStackState(cwd: string): { state?: LocalStackState; stale?: LocalStackState } {
  const state = readStackState(cwd);
  if (state === undefined) return {};
  return isProcessAlive(state.pid) ? { state } : { stale: state };
}
