/**
 * dynalite turns LevelDB iterators into streams and, when a stream ends or is destroyed (a Query
 * or Scan that stops at its Limit, or reads to the end), closes the iterator with
 * `iterator.return()`. abstract-level 3 iterators have no `return()`, only `close()`, so every
 * Query and Scan left one iterator open for the life of the process: ~5,300 after a 5-minute run
 * (the trends handler queries with Limit once per symbol per batch), each holding a LevelDB
 * snapshot, and the stack's memory only grew. This gives the iterators the `return()` dynalite
 * calls, as `close()`. Installing twice is harmless.
 */
import { createRequire } from 'node:module';

interface IteratorPrototype {
  close(): Promise<void>;
  return?: () => Promise<void>;
}

/** `require` as dynalite's `level` module sees it: what resolves there is dynalite's LevelDB. */
export function dynaliteLevelRequire(): NodeJS.Require {
  const require = createRequire(import.meta.url);
  return createRequire(createRequire(require.resolve('dynalite')).resolve('level'));
}

/** The abstract-level module dynalite's LevelDB (level → classic-level) is built on. */
export function dynaliteAbstractLevel(): Record<string, unknown> {
  const levelRequire = dynaliteLevelRequire();
  const classicRequire = createRequire(levelRequire.resolve('classic-level'));
  return classicRequire('abstract-level') as Record<string, unknown>;
}

export function installDynaliteIteratorClose(): void {
  const abstractLevel = dynaliteAbstractLevel();
  for (const name of ['AbstractIterator', 'AbstractKeyIterator', 'AbstractValueIterator']) {
    const iteratorClass = abstractLevel[name] as { prototype: IteratorPrototype } | undefined;
    const prototype = iteratorClass?.prototype;
    if (!prototype || typeof prototype.return === 'function') continue;
    prototype.return = function (this: IteratorPrototype) {
      return this.close();
    };
  }
}
