/**
 * A full disk is an error the local stack survives: below a reserve of free space the stack's
 * endpoints refuse writes as AWS throttles them (Kinesis and DynamoDB:
 * ProvisionedThroughputExceededException, S3: 503 SlowDown), which the producer, the handlers and
 * the SDK retry; the emulators never meet ENOSPC (a LevelDB that does stops its emulator), and the
 * stack's own logs, checkpoints and stream files keep the reserve to finish what is in flight.
 * Checked twice a second; writes resume on their own once space returns.
 */
import { statfsSync } from 'node:fs';

/** Free space kept for what is already accepted: a batch in flight, its logs and checkpoints. */
export const DISK_RESERVE_BYTES = 64 * 1024 * 1024;
const CHECK_EVERY_MS = 500;

export interface DiskGuard {
  /** True while free space is below the reserve: writes are refused. */
  readonly full: boolean;
  /** Free bytes at the last check. */
  readonly freeBytes: number;
  stop(): void;
}

export interface DiskGuardOptions {
  reserveBytes?: number;
  /** Told when the disk becomes full or has room again (the daemon's log). */
  onChange?: (full: boolean, freeBytes: number) => void;
}

export function watchDisk(directory: string, options: DiskGuardOptions = {}): DiskGuard {
  const reserve = options.reserveBytes ?? DISK_RESERVE_BYTES;
  const state = { full: false, freeBytes: Number.POSITIVE_INFINITY };
  const check = () => {
    try {
      const stats = statfsSync(directory);
      state.freeBytes = stats.bavail * stats.bsize;
    } catch {
      return; // the folder is being removed (cleanup): nothing to guard
    }
    const full = state.freeBytes < reserve;
    if (full !== state.full) {
      state.full = full;
      options.onChange?.(full, state.freeBytes);
    }
  };
  check();
  const timer = setInterval(check, CHECK_EVERY_MS);
  timer.unref();
  return {
    get full() {
      return state.full;
    },
    get freeBytes() {
      return state.freeBytes;
    },
    stop: () => clearInterval(timer),
  };
}

/** True for a Kinesis or DynamoDB action that writes (anything but Describe/List/Get/Query/Scan/BatchGet). */
export function isWriteAction(target: string | undefined): boolean {
  const action = target?.split('.').at(-1) ?? '';
  return action !== '' && !/^(Describe|List|Get|Query|Scan|BatchGet)/.test(action);
}

/** The body of a JSON-protocol throttle, as Kinesis and DynamoDB send it. */
export function throttleBody(type: string): string {
  return JSON.stringify({
    __type: type,
    message: 'the local stack is short of disk space: writes resume when space returns (see local status)',
  });
}
