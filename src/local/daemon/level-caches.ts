/**
 * kinesalite (leveldown) and dynalite (classic-level) open LevelDB with its server default of an
 * 8 MB block cache per database, which a live stream fills over its first minutes (the local
 * stack's RSS grew with it). The local stack mostly reads back what it has just written — still in
 * the write buffer or the OS's page cache — so each database gets a 1 MB cache instead (the write
 * buffer keeps LevelDB's 4 MB). A size given by a caller stands. Installing twice is harmless.
 */
import { createRequire } from 'node:module';
import { dynaliteLevelRequire } from './dynalite-iterators.ts';

/** Per database; LevelDB's own default is 8 MB. */
export const LEVEL_CACHE_BYTES = 1 << 20;

interface LevelPrototype {
  _open(options: Record<string, unknown>, ...rest: unknown[]): unknown;
  [SMALL_CACHES]?: true;
}

const SMALL_CACHES = Symbol.for('stockpipe.level-small-caches');

function shrink(prototype: LevelPrototype): void {
  if (prototype[SMALL_CACHES]) return;
  const open = prototype._open;
  prototype._open = function (this: LevelPrototype, options, ...rest) {
    return open.call(this, { cacheSize: LEVEL_CACHE_BYTES, ...options }, ...rest);
  };
  prototype[SMALL_CACHES] = true;
}

/** kinesalite's LevelDB binding (it requires leveldown only for a store on disk). */
export function installSmallKinesaliteCaches(): void {
  const kinesaliteRequire = createRequire(createRequire(import.meta.url).resolve('kinesalite'));
  const leveldown = kinesaliteRequire('leveldown') as { prototype: LevelPrototype };
  shrink(leveldown.prototype);
}

/** dynalite's LevelDB binding (level → classic-level). */
export function installSmallDynaliteCaches(): void {
  const { ClassicLevel } = dynaliteLevelRequire()('classic-level') as { ClassicLevel: { prototype: LevelPrototype } };
  shrink(ClassicLevel.prototype);
}
