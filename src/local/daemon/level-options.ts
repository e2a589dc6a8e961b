/**
 * kinesalite (leveldown) and dynalite (classic-level) open LevelDB with its server defaults, sized
 * for a database server, not for a stack that runs beside a user's work:
 * - an 8 MB block cache per database, which a live stream fills over its first minutes (the local
 *   stack's RSS grew with it). The stack mostly reads back what it has just written — still in the
 *   write buffer or the OS's page cache — so each database gets a 1 MB cache instead (the write
 *   buffer keeps LevelDB's 4 MB);
 * - 4 KB blocks. Each open table holds its whole index in memory, one entry (a key, ~100 bytes
 *   here) per block, so that memory grows with the data: a live stream added ~0.3 MB a minute of
 *   index (heaptrack over the daemon, 200 events/s). 16 KB blocks make the index a quarter the
 *   size; a read decompresses 16 KB instead of 4, from the mapped table file.
 * An option a caller gives stands. Installing twice is harmless.
 */
import { dynaliteLevelRequire } from './dynalite-iterators.ts';
import { kinesaliteRequire } from './kinesalite-fast-path.ts';

/** Per database; LevelDB's own default is 8 MB. */
export const LEVEL_CACHE_BYTES = 1 << 20;

/** LevelDB's own default is 4 KB. */
export const LEVEL_BLOCK_BYTES = 16 << 10;

interface LevelPrototype {
  _open(options: Record<string, unknown>, ...rest: unknown[]): unknown;
  [LOCAL_OPTIONS]?: true;
}

const LOCAL_OPTIONS = Symbol.for('stockpipe.level-local-options');

function withLocalDefaults(prototype: LevelPrototype): void {
  if (prototype[LOCAL_OPTIONS]) return;
  const open = prototype._open;
  prototype._open = function (this: LevelPrototype, options, ...rest) {
    return open.call(this, { cacheSize: LEVEL_CACHE_BYTES, blockSize: LEVEL_BLOCK_BYTES, ...options }, ...rest);
  };
  prototype[LOCAL_OPTIONS] = true;
}

/** kinesalite's LevelDB binding (it requires leveldown only for a store on disk). */
export function installKinesaliteLevelOptions(): void {
  const leveldown = kinesaliteRequire()('leveldown') as { prototype: LevelPrototype };
  withLocalDefaults(leveldown.prototype);
}

/** dynalite's LevelDB binding (level → classic-level). */
export function installDynaliteLevelOptions(): void {
  const { ClassicLevel } = dynaliteLevelRequire()('classic-level') as { ClassicLevel: { prototype: LevelPrototype } };
  withLocalDefaults(ClassicLevel.prototype);
}
