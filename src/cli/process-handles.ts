import type { Readable, Writable } from 'node:stream';

/** The parts of the process a run of the CLI uses; tests pass their own. */
export interface ProcessHandles {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  signal: AbortSignal;
}
