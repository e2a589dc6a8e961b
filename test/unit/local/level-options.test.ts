/**
 * The local stack's LevelDB databases (kinesalite's through leveldown, dynalite's through
 * classic-level) cache little: with the write buffer flushed, LevelDB's own count of what it holds
 * ("leveldb.approximate-memory-usage": block cache and write buffers) stays near the small cache
 * while more is read back than its default 8 MB cache holds; and their tables' indexes, which
 * LevelDB keeps in memory for every open table, are a small share of the data.
 */
import assert from 'node:assert/strict';
import { globSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { dynaliteLevelRequire } from '../../../src/local/daemon/dynalite-iterators.ts';
import { kinesaliteRequire } from '../../../src/local/daemon/kinesalite-fast-path.ts';
import {
  installDynaliteLevelOptions,
  installKinesaliteLevelOptions,
  LEVEL_BLOCK_BYTES,
  LEVEL_CACHE_BYTES,
} from '../../../src/local/daemon/level-options.ts';

const MB = 1024 * 1024;
const WRITTEN = 12 * MB; // more than LevelDB's default 8 MB cache holds
const VALUE = 16 * 1024;
// The cache, with room for the emptied write buffer and LevelDB's bookkeeping.
const CEILING = LEVEL_CACHE_BYTES + MB / 2;

const folder = mkdtempSync(join(tmpdir(), 'stockpipe-level-'));
after(() => rmSync(folder, { recursive: true, force: true }));

// Records as the stack stores them: text that compresses. LevelDB caches the blocks it had to
// decompress; an uncompressed block it reads straight from the mapped table file, uncached.
const record = (i: number, j: number) =>
  `{"symbol":"AAPL","price":${(100 + ((i * 31 + j) % 997) / 10).toFixed(2)},"i":${i},"j":${j}}\n`;
const values = Array.from({ length: WRITTEN / VALUE }, (_, i) => {
  let text = '';
  for (let j = 0; text.length < VALUE; j++) text += record(i, j);
  return Buffer.from(text.slice(0, VALUE));
});
const key = (i: number) => `record-${String(i).padStart(6, '0')}`;

/** What one database of each binding is asked to do: the calls differ, the work does not. */
interface Store {
  put(key: string, value: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Writes the write buffer out to table files (LevelDB's CompactRange does that first). */
  flush(): Promise<void>;
  memory(): number;
  close(): Promise<void>;
}

/** The most LevelDB held while the values were read back from its table files. */
async function fillAndReadBack(store: Store): Promise<number> {
  for (const [i, value] of values.entries()) await store.put(key(i), value);
  await store.flush();
  let highest = 0;
  for (const [i, value] of values.entries()) {
    assert.ok((await store.get(key(i))).equals(value), `${key(i)} reads back as written`);
    highest = Math.max(highest, store.memory());
  }
  await store.close();
  return highest;
}

interface LevelDown {
  open(options: Record<string, unknown>, callback: (error?: Error) => void): void;
  put(key: string, value: Buffer, callback: (error?: Error) => void): void;
  compactRange(start: string, end: string, callback: (error?: Error) => void): void;
  get(key: string, options: { asBuffer: boolean }, callback: (error: Error | undefined, value: Buffer) => void): void;
  getProperty(name: string): string;
  close(callback: (error?: Error) => void): void;
}

async function leveldownStore(location: string, options: Record<string, unknown> = {}): Promise<Store> {
  const leveldown = kinesaliteRequire()('leveldown') as (location: string) => LevelDown;
  const db = leveldown(location);
  await promisify(db.open.bind(db))(options);
  return {
    put: promisify(db.put.bind(db)),
    get: (k) => promisify(db.get.bind(db))(k, { asBuffer: true }) as Promise<Buffer>,
    flush: () => promisify(db.compactRange.bind(db))(key(0), key(values.length)),
    memory: () => Number(db.getProperty('leveldb.approximate-memory-usage')),
    close: promisify(db.close.bind(db)),
  };
}

interface ClassicLevelDb {
  open(): Promise<void>;
  put(key: string, value: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  compactRange(start: string, end: string): Promise<void>;
  getProperty(name: string): string;
  close(): Promise<void>;
}

async function classicLevelStore(location: string, options: Record<string, unknown> = {}): Promise<Store> {
  const { ClassicLevel } = dynaliteLevelRequire()('classic-level') as {
    ClassicLevel: new (location: string, options: Record<string, unknown>) => ClassicLevelDb;
  };
  const db = new ClassicLevel(location, { valueEncoding: 'buffer', ...options });
  await db.open();
  return {
    put: (k, v) => db.put(k, v),
    get: (k) => db.get(k),
    flush: () => db.compactRange(key(0), key(values.length)),
    memory: () => Number(db.getProperty('leveldb.approximate-memory-usage')),
    close: () => db.close(),
  };
}

describe('the local stack’s LevelDB caches are small', () => {
  installKinesaliteLevelOptions();
  installDynaliteLevelOptions();
  installKinesaliteLevelOptions(); // twice is harmless: the defaults are not wrapped twice
  installDynaliteLevelOptions();

  it('kinesalite’s (leveldown): 12 MB written and read back, little held', async () => {
    const highest = await fillAndReadBack(await leveldownStore(join(folder, 'kinesis')));
    assert.ok(highest <= CEILING, `held ${(highest / MB).toFixed(1)} MB, at most ${(CEILING / MB).toFixed(1)}`);
    assert.ok(highest >= LEVEL_CACHE_BYTES / 2, 'the count is of a cache in use (the measure measures)');
  });

  it('dynalite’s (classic-level): 12 MB written and read back, little held', async () => {
    const highest = await fillAndReadBack(await classicLevelStore(join(folder, 'dynamodb')));
    assert.ok(highest <= CEILING, `held ${(highest / MB).toFixed(1)} MB, at most ${(CEILING / MB).toFixed(1)}`);
    assert.ok(highest >= LEVEL_CACHE_BYTES / 2, 'the count is of a cache in use (the measure measures)');
  });

  it('a size the caller gives stands', async () => {
    const options = { cacheSize: 16 * MB };
    const [leveldown, classic] = await Promise.all([
      leveldownStore(join(folder, 'kinesis-large'), options).then(fillAndReadBack),
      classicLevelStore(join(folder, 'dynamodb-large'), options).then(fillAndReadBack),
    ]);
    for (const highest of [leveldown, classic]) assert.ok(highest > 8 * MB, `held ${(highest / MB).toFixed(1)} MB`);
  });
});

/**
 * The index LevelDB keeps in memory for each open table, read from the tables' footers (the last
 * 48 bytes: two block handles as varints, the metaindex's then the index's, then padding and a
 * magic number), as a share of the tables' bytes.
 */
function indexShare(location: string): number {
  let indexBytes = 0;
  let tableBytes = 0;
  for (const file of globSync(join(location, '*.ldb'))) {
    const table = readFileSync(file);
    const footer = table.subarray(table.length - 48);
    assert.equal(footer.readBigUInt64LE(40), 0xdb4775248b80fb57n, `${file} ends in LevelDB's magic number`);
    let at = 0;
    const varint = () => {
      let value = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = footer[at++] as number;
        value += (byte & 0x7f) * 2 ** shift;
        if (byte < 0x80) return value;
      }
    };
    varint(); // metaindex offset
    varint(); // metaindex size
    varint(); // index offset
    indexBytes += varint();
    tableBytes += table.length;
  }
  assert.ok(tableBytes > 0, 'the records were written out to tables');
  return indexBytes / tableBytes;
}

describe('the local stack’s LevelDB tables keep a small index', () => {
  installKinesaliteLevelOptions();
  installDynaliteLevelOptions();

  // 6 MB of records the size of the stack's, under keys as long as a Kinesis record's.
  const records = Array.from({ length: 24_000 }, (_, i) => ({
    key: `stream-stockpipe!shardId-000000000000!${String(49_000_000_000_000 + i * 7919).padStart(56, '0')}`,
    value: Buffer.from(record(i, i % 13).repeat(4)),
  }));
  /** Writes every record and flushes the write buffer (CompactRange always does that first). */
  async function fill(store: Store): Promise<void> {
    for (const { key, value } of records) await store.put(key, value);
    await store.flush();
    await store.close();
  }

  for (const [binding, open] of [
    ['kinesalite’s (leveldown)', leveldownStore],
    ['dynalite’s (classic-level)', classicLevelStore],
  ] as const) {
    it(`${binding}: blocks of ${LEVEL_BLOCK_BYTES / 1024} KB, an index under 1% of the data`, async () => {
      const location = join(folder, `index-${open.name}`);
      await fill(await open(location));
      const share = indexShare(location);
      assert.ok(share < 0.01, `index ${(share * 100).toFixed(2)}% of the tables`);
    });
  }
});
