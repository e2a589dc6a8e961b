/**
 * A full garbage collection when a thread of the local stack goes quiet after work.
 *
 * V8 collects when JavaScript allocates, so a thread that has just handled a burst of 1 MiB records
 * and then idles keeps the garbage of that burst — and with it the Buffers and strings outside the
 * heap that the garbage holds (each record's body, its base64, the batch it travelled in) — for as
 * long as it stays idle: 60 MiB of large records left the daemon ~60 MB bigger a minute later.
 * Each thread (the daemon's main thread, each emulator's, each Lambda sandbox's) runs one of these:
 * every few seconds it looks at what its isolate holds, and once that has grown by a few MB since
 * the last collection and the thread has been nearly idle since the last look, it collects in full.
 * A busy thread is left alone: V8 collects it as it allocates.
 */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

export interface QuietCollectorOptions {
  /** How often to look. */
  everyMs?: number;
  /** Growth of heap + external memory since the last collection that makes one worth it. */
  growthBytes?: number;
  /** The share of the last period the thread may have been busy and still count as quiet. */
  quietUtilization?: number;
  /** For tests: what this isolate holds, how busy it was since the last call, and the collection. */
  heldBytes?: () => number;
  busySinceLastLook?: () => number;
  collect?: () => void;
}

const DEFAULTS = { everyMs: 5_000, growthBytes: 8 * 1024 * 1024, quietUtilization: 0.05 };

/** Starts looking; returns what stops it. The timer never keeps a thread alive. */
export function collectWhenQuiet(options: QuietCollectorOptions = {}): () => void {
  const everyMs = options.everyMs ?? DEFAULTS.everyMs;
  const growthBytes = options.growthBytes ?? DEFAULTS.growthBytes;
  const quietUtilization = options.quietUtilization ?? DEFAULTS.quietUtilization;
  const heldBytes = options.heldBytes ?? isolateHeldBytes;
  const busySinceLastLook = options.busySinceLastLook ?? eventLoopBusyShare();
  const collect = options.collect ?? exposedCollection();
  // Without a full collection to run (a process started without --expose-gc) there is nothing to do.
  if (!collect) return () => {};
  // Measured at the look after a collection: the Buffers a collection frees are released by a
  // background task shortly after it, not by the time it returns.
  let baseline: number | undefined = heldBytes();
  const timer = setInterval(() => {
    const busy = busySinceLastLook();
    const held = heldBytes();
    if (baseline === undefined) {
      baseline = held;
      return;
    }
    if (held < baseline) baseline = held;
    if (held - baseline < growthBytes || busy > quietUtilization) return;
    collect();
    baseline = undefined;
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

function isolateHeldBytes(): number {
  const heap = getHeapStatistics();
  return heap.used_heap_size + heap.external_memory;
}

function eventLoopBusyShare(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return share;
  };
}

/**
 * V8's `gc`, which the daemon's command line exposes to every thread (`--expose-gc`, as the
 * nodejs22.x runtime's bootstrap does for handlers too). Never switched on at run time:
 * `setFlagsFromString` changes a flag for the whole process, so threads doing that at once raced
 * one another, and one found no `gc` in the context it had just made (`gc is not defined`, the
 * local stack failed to start).
 */
function exposedCollection(): (() => void) | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  return typeof gc === 'function' ? () => gc() : undefined;
}
