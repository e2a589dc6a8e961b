/**
 * The emulators open their LevelDB stores lazily and, when a store is damaged, die of an
 * unhandled 'error' event after the stack has said it is up. So the daemon opens each store
 * itself first, with the very modules the emulator uses, and stops with a line naming the damaged
 * store and the way out.
 */
import { createRequire } from 'node:module';
import { StockpipeError } from '../../errors.ts';

export type StoreName = 'kinesis' | 'dynamodb';

export class DamagedStoreError extends StockpipeError {
  constructor(store: StoreName, dir: string, reason: string) {
    super(
      `${store} store is damaged (${reason.split('\n')[0]}): \`stockpipe local reset\` deletes the local stack's data (every local pipeline, nothing kept) so it starts afresh; or repair ${dir}`,
    );
  }
}

function emulatorRequire(emulator: 'kinesalite' | 'dynalite'): NodeJS.Require {
  return createRequire(createRequire(import.meta.url).resolve(emulator));
}

/** kinesalite's store: levelup over leveldown. */
export async function checkKinesisStore(dir: string): Promise<void> {
  const require = emulatorRequire('kinesalite');
  const levelup = require('levelup') as (store: unknown, callback: (error: Error | null, db?: unknown) => void) => void;
  const leveldown = require('leveldown') as (path: string) => unknown;
  const db = await new Promise<{ close(callback: (error?: Error) => void): void }>((resolve, reject) => {
    levelup(leveldown(dir), (error, opened) => {
      if (error) reject(new DamagedStoreError('kinesis', dir, error.message));
      else resolve(opened as { close(callback: (error?: Error) => void): void });
    });
  });
  await new Promise<void>((resolve) => db.close(() => resolve()));
}

/** dynalite's store: level (classic-level). */
export async function checkDynamoDbStore(dir: string): Promise<void> {
  const { Level } = emulatorRequire('dynalite')('level') as {
    Level: new (path: string, options: object) => { open(): Promise<void>; close(): Promise<void> };
  };
  const db = new Level(dir, { valueEncoding: 'json' });
  try {
    await db.open();
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    throw new DamagedStoreError('dynamodb', dir, cause?.message ?? (error as Error).message);
  }
  await db.close();
}
