/**
 * The local stack patches its emulators' insides (src/local/daemon/*.ts) and reads s3rver's disk
 * layout (src/query/s3rver-files.ts). Those internals are nobody's API, so each emulator is pinned
 * to the exact version the patches were written for, and this test says by name which internal
 * moved when one does: an upgrade is then a deliberate step (move the pin, fix what this names).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dynaliteAbstractLevel } from '../../../src/local/daemon/dynalite-iterators.ts';
import { OBJECT_SUFFIX } from '../../../src/query/s3rver-files.ts';

const root = createRequire(import.meta.url);
const PINNED = { kinesalite: '3.3.3', dynalite: '4.0.0', s3rver: '3.7.1' } as const;
/** Transitive packages whose insides are patched: pinned with package.json `overrides`. */
const OVERRIDDEN = { 'abstract-level': '3.1.1' } as const;
type Emulator = keyof typeof PINNED;

function requireFrom(emulator: Emulator): NodeJS.Require {
  return createRequire(root.resolve(emulator));
}

function packageDir(require: NodeJS.Require, name: string): string {
  const main = require.resolve(name);
  return main.slice(0, main.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}`.length);
}

function version(require: NodeJS.Require, name: string): string {
  return JSON.parse(readFileSync(join(packageDir(require, name), 'package.json'), 'utf8')).version;
}

interface Internal {
  emulator: Emulator;
  /** What the patch relies on, as the failure names it. */
  what: string;
  patchedBy: string;
  /** True while the internal is still where the patch expects it. */
  holds(): boolean;
}

const kinesalite = requireFrom('kinesalite');
const kinesaliteDb = () => kinesalite('./db') as Record<string, unknown>;
const kinesaliteActions = () => {
  const dir = join(packageDir(root, 'kinesalite'), 'actions');
  return readdirSync(dir).map((file) => readFileSync(join(dir, file), 'utf8'));
};
const SEQUENCE_HELPERS = ['parseSequence', 'stringifySequence', 'incrementSequence', 'partitionKeyToHashKey'];

const dynalite = requireFrom('dynalite');

const INTERNALS: Internal[] = [
  ...SEQUENCE_HELPERS.map((name) => ({
    emulator: 'kinesalite' as const,
    what: `db.${name}, a function of kinesalite/db that its actions call as db.${name}(…)`,
    patchedBy: 'src/local/daemon/kinesalite-fast-path.ts',
    holds: () =>
      typeof kinesaliteDb()[name] === 'function' &&
      kinesaliteActions().some((source) => source.includes(`db.${name}(`)),
  })),
  {
    emulator: 'kinesalite',
    what: 'db.shardIxToHex and bignumber.js, which the fast path builds on',
    patchedBy: 'src/local/daemon/kinesalite-fast-path.ts',
    holds: () => typeof kinesaliteDb().shardIxToHex === 'function' && typeof kinesalite('bignumber.js') === 'function',
  },
  {
    emulator: 'kinesalite',
    what: "one 'request' listener on the server kinesalite() returns",
    patchedBy: 'src/local/daemon/emulators.ts (guardKinesis)',
    holds: () => {
      const create = root('kinesalite') as (options: object) => import('node:http').Server;
      return create({}).listeners('request').length === 1;
    },
  },
  {
    emulator: 'kinesalite',
    what: 'levelup and leveldown, the modules its store opens with',
    patchedBy: 'src/local/daemon/store-check.ts',
    holds: () => typeof kinesalite('levelup') === 'function' && kinesalite.resolve('leveldown') !== '',
  },
  ...['AbstractIterator', 'AbstractKeyIterator', 'AbstractValueIterator'].map((name) => ({
    emulator: 'dynalite' as const,
    what: `abstract-level's ${name}.prototype.close (under dynalite → level → classic-level)`,
    patchedBy: 'src/local/daemon/dynalite-iterators.ts',
    holds: () => {
      const iterator = dynaliteAbstractLevel()[name] as { prototype?: { close?: unknown } } | undefined;
      return typeof iterator?.prototype?.close === 'function';
    },
  })),
  {
    emulator: 'dynalite',
    what: 'iterator.return() in dynalite/db/index.js, the call the iterator patch answers',
    patchedBy: 'src/local/daemon/dynalite-iterators.ts',
    holds: () => readFileSync(dynalite.resolve('./db/index.js'), 'utf8').includes('iterator.return()'),
  },
  {
    emulator: 'dynalite',
    what: "level's Level class, the store dynalite opens",
    patchedBy: 'src/local/daemon/store-check.ts',
    holds: () => typeof (dynalite('level') as { Level?: unknown }).Level === 'function',
  },
  {
    emulator: 's3rver',
    what: 'the Koa middleware array of an S3rver instance (s3rver.middleware), which the guards go in front of',
    patchedBy: 'src/local/daemon/s3-key-guard.ts (and s3-conditional-put.ts)',
    holds: () => {
      const S3rver = root('s3rver') as new (options: object) => { middleware?: unknown };
      return Array.isArray(new S3rver({ silent: true, directory: '/nonexistent' }).middleware);
    },
  },
  {
    emulator: 's3rver',
    what: "DUMMY_ACCOUNT's createKeyPair and revokeAccessKey in s3rver/lib/models/account",
    patchedBy: 'src/local/daemon/s3-conditional-put.ts (installSignatureCheck)',
    holds: () => {
      const { DUMMY_ACCOUNT } = root('s3rver/lib/models/account') as {
        DUMMY_ACCOUNT?: { createKeyPair?: unknown; revokeAccessKey?: unknown };
      };
      return typeof DUMMY_ACCOUNT?.createKeyPair === 'function' && typeof DUMMY_ACCOUNT.revokeAccessKey === 'function';
    },
  },
  {
    emulator: 's3rver',
    what: `an object's bytes in the file <bucket>/<key>${OBJECT_SUFFIX} (lib/stores/filesystem.js)`,
    patchedBy: 'src/query/s3rver-files.ts (and s3-conditional-put.ts)',
    holds: () => {
      const FilesystemStore = root('s3rver/lib/stores/filesystem') as new (
        dir: string,
      ) => { getResourcePath(bucket: string, key: string, resource: string): string };
      const file = new FilesystemStore('/lake').getResourcePath('bucket', 'raw/dt=2026-01-02/a.json', 'object');
      return file === join('/lake', 'bucket', 'raw', 'dt=2026-01-02', `a.json${OBJECT_SUFFIX}`);
    },
  },
];

describe('patched emulators', () => {
  it('each emulator is pinned to an exact version in package.json, and that version is installed', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    for (const [name, pinned] of Object.entries(PINNED)) {
      assert.equal(manifest.dependencies[name], pinned, `package.json must pin ${name} to exactly ${pinned}`);
      assert.equal(version(root, name), pinned, `node_modules has another ${name} than the pinned one: run npm ci`);
    }
    for (const [name, pinned] of Object.entries(OVERRIDDEN)) {
      assert.equal(manifest.overrides?.[name], pinned, `package.json overrides must pin ${name} to exactly ${pinned}`);
    }
    const classicLevel = createRequire(createRequire(dynalite.resolve('level')).resolve('classic-level'));
    assert.equal(
      version(classicLevel, 'abstract-level'),
      OVERRIDDEN['abstract-level'],
      'abstract-level under dynalite',
    );
  });

  for (const internal of INTERNALS) {
    it(`${internal.emulator}: ${internal.what}`, () => {
      let holds: boolean;
      let failure = '';
      try {
        holds = internal.holds();
      } catch (error) {
        holds = false;
        failure = ` (${(error as Error).message.split('\n')[0]})`;
      }
      assert.ok(
        holds,
        `${internal.emulator}@${version(root, internal.emulator)}: ${internal.what} is no longer where ` +
          `${internal.patchedBy} relies on it${failure}; fix that before moving the pin in package.json`,
      );
    });
  }
});
