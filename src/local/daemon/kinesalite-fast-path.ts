/**
 * kinesalite spends over half its CPU in bignumber.js, converting 128-bit hash keys and 186-bit
 * sequence numbers between hex and decimal once or twice for every record it stores or returns.
 * That made the local stack's Kinesis, not the producer, the ceiling of every local run. This swaps
 * four of its db helpers for versions on native BigInt, and memoises the partition-key hash (one
 * key per symbol). They return exactly what the originals return — a property test compares them —
 * and hand anything they do not recognise to the original, so odd input keeps its old behaviour.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/** What kinesalite's parseSequence returns and stringifySequence takes. */
export interface SequenceParts {
  version?: number | null;
  shardCreateTime: number;
  shardIx?: number | undefined;
  seqIx?: number | string | undefined;
  seqTime?: number;
  byte1?: string;
  seqRand?: string;
}

/** The helpers of kinesalite's `db` module that its actions call as `db.<name>`. */
export interface KinesaliteSequenceHelpers {
  parseSequence(seq: string): SequenceParts;
  stringifySequence(parts: SequenceParts): string;
  incrementSequence(seq: string | SequenceParts, seqTime?: number | null): string;
  partitionKeyToHashKey(partitionKey: string): unknown;
}

interface KinesaliteDb extends KinesaliteSequenceHelpers {
  shardIxToHex(shardIx: number): string;
  /** Marks a db module already patched, so installing twice is harmless. */
  originalSequenceHelpers?: KinesaliteSequenceHelpers;
}

type BigNumberClass = new (value: string) => unknown;

const POW_2_124 = 2n ** 124n;
const POW_2_124_NEXT = 2n ** 125n * 16n;
const POW_2_185 = 2n ** 185n;
const POW_2_185_NEXT = 3n * 2n ** 184n; // 2^185 × 1.5
const DECIMAL = /^\d+$/;
/** Lower-case only: bignumber.js reads mixed-case hex as NaN, so anything else goes to the original. */
const HEX = /^[0-9a-f]+$/;
/** Distinct partition keys remembered; the producer uses one per symbol. */
const HASH_KEY_CACHE_LIMIT = 10_000;

/** `require` as kinesalite sees it: what resolves there is kinesalite's own (leveldown, its db). */
export function kinesaliteRequire(): NodeJS.Require {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve('kinesalite'));
}

function hexToDecimal(hex: string): string {
  return BigInt(`0x${hex}`).toString();
}

/** `new BigNumber(seqIx).toString(16)` for the integers kinesalite stores; undefined otherwise. */
function seqIxToHex(seqIx: number | string): string | undefined {
  if (typeof seqIx === 'number') return Number.isSafeInteger(seqIx) && seqIx >= 0 ? seqIx.toString(16) : undefined;
  return DECIMAL.test(seqIx) ? BigInt(seqIx).toString(16) : undefined;
}

function secondsHex(ms: number): string {
  return `00000000${Math.floor(ms / 1000).toString(16)}`.slice(-9);
}

/** The hex digits kinesalite's stringifySequence builds, or undefined when it would not build plain hex. */
function sequenceHex(parts: SequenceParts, shardIxToHex: (shardIx: number) => string): string | undefined {
  const shardIx = parts.shardIx as number;
  let hex: string;
  if (parts.version == null || parts.version === 2) {
    const seqIx = seqIxToHex(parts.seqIx || 0);
    if (seqIx === undefined) return undefined;
    hex = [
      '2',
      secondsHex(parts.shardCreateTime),
      (shardIx || 0).toString(16).slice(-1),
      `0000000000000000${seqIx}`.slice(-16),
      parts.byte1 || '00',
      secondsHex(parts.seqTime || parts.shardCreateTime),
      shardIxToHex(shardIx),
      '2',
    ].join('');
  } else if (parts.version === 1) {
    hex = [
      '2',
      secondsHex(parts.shardCreateTime),
      (shardIx || 0).toString(16).slice(-1),
      parts.byte1 || '00',
      secondsHex(parts.seqTime || parts.shardCreateTime),
      parts.seqRand || '00000000000000',
      `0${((parts.seqIx as number) || 0).toString(16)}`.slice(-2),
      shardIxToHex(shardIx),
      '1',
    ].join('');
  } else if (parts.version === 0) {
    hex = [
      '1',
      secondsHex(parts.shardCreateTime),
      parts.byte1 || '00',
      parts.seqRand || '0000000000000000',
      shardIxToHex(shardIx).slice(-4),
    ].join('');
  } else {
    return undefined;
  }
  return HEX.test(hex) ? hex : undefined;
}

function parseSequenceHex(hex: string, value: bigint): SequenceParts {
  const version =
    value < POW_2_124_NEXT
      ? 0
      : value > POW_2_185 && value < POW_2_185_NEXT
        ? Number.parseInt(hex.slice(hex.length - 1), 16)
        : null;
  if (version === 2) {
    const seqIxHex = hex.slice(11, 27);
    let shardIxHex = hex.slice(38, 46);
    if (Number.parseInt(seqIxHex[0] as string, 16) > 7) throw new Error('Sequence index too high');
    if (Number.parseInt(shardIxHex[0] as string, 16) > 7) shardIxHex = `-${shardIxHex}`;
    const shardCreateSecs = Number.parseInt(hex.slice(1, 10), 16);
    if (shardCreateSecs >= 16025175000) throw new Error(`Date too large: ${shardCreateSecs}`);
    return {
      shardCreateTime: shardCreateSecs * 1000,
      seqIx: hexToDecimal(seqIxHex),
      byte1: hex.slice(27, 29),
      seqTime: Number.parseInt(hex.slice(29, 38), 16) * 1000,
      shardIx: Number.parseInt(shardIxHex, 16),
      version,
    };
  }
  if (version === 1) {
    return {
      shardCreateTime: Number.parseInt(hex.slice(1, 10), 16) * 1000,
      byte1: hex.slice(11, 13),
      seqTime: Number.parseInt(hex.slice(13, 22), 16) * 1000,
      seqRand: hex.slice(22, 36),
      seqIx: Number.parseInt(hex.slice(36, 38), 16),
      shardIx: Number.parseInt(hex.slice(38, 46), 16),
      version,
    };
  }
  if (version === 0) {
    const shardCreateSecs = Number.parseInt(hex.slice(1, 10), 16);
    if (shardCreateSecs >= 16025175000) throw new Error(`Date too large: ${shardCreateSecs}`);
    return {
      shardCreateTime: shardCreateSecs * 1000,
      byte1: hex.slice(10, 12),
      seqRand: hex.slice(12, 28),
      shardIx: Number.parseInt(hex.slice(28, 32), 16),
      version,
    };
  }
  throw new Error(`Unknown version: ${version}`);
}

/** The four helpers on native BigInt, falling back to `original` for input outside their range. */
export function fastSequenceHelpers(
  original: KinesaliteSequenceHelpers,
  shardIxToHex: (shardIx: number) => string,
  BigNumber: BigNumberClass,
): KinesaliteSequenceHelpers {
  function parseSequence(seq: string): SequenceParts {
    if (typeof seq !== 'string' || !DECIMAL.test(seq)) return original.parseSequence(seq);
    let value = BigInt(seq);
    if (value < POW_2_124) value += POW_2_124;
    return parseSequenceHex(value.toString(16), value);
  }

  function stringifySequence(parts: SequenceParts): string {
    const hex = sequenceHex(parts, shardIxToHex);
    return hex === undefined ? original.stringifySequence(parts) : hexToDecimal(hex);
  }

  function incrementSequence(seq: string | SequenceParts, seqTime?: number | null): string {
    const parts = typeof seq === 'string' ? parseSequence(seq) : seq;
    return stringifySequence({
      shardCreateTime: parts.shardCreateTime,
      seqIx: parts.seqIx,
      seqTime: seqTime || (parts.seqTime as number) + 1000,
      shardIx: parts.shardIx,
    });
  }

  // BigNumber instances are immutable, so one per key can be shared by every caller.
  const hashKeys = new Map<string, unknown>();
  function partitionKeyToHashKey(partitionKey: string): unknown {
    let hashKey = hashKeys.get(partitionKey);
    if (hashKey === undefined) {
      const md5 = createHash('md5').update(partitionKey, 'utf8').digest('hex');
      hashKey = new BigNumber(hexToDecimal(md5));
      if (hashKeys.size >= HASH_KEY_CACHE_LIMIT) hashKeys.clear();
      hashKeys.set(partitionKey, hashKey);
    }
    return hashKey;
  }

  return { parseSequence, stringifySequence, incrementSequence, partitionKeyToHashKey };
}

/** kinesalite's own helpers, unpatched, for comparison in tests. */
export function originalKinesaliteHelpers(): KinesaliteSequenceHelpers & Pick<KinesaliteDb, 'shardIxToHex'> {
  const db = kinesaliteRequire()('./db') as KinesaliteDb;
  return { ...(db.originalSequenceHelpers ?? db), shardIxToHex: db.shardIxToHex };
}

/** Patches the kinesalite module every server in this process uses; safe to call more than once. */
export function installKinesaliteFastPath(): void {
  const require = kinesaliteRequire();
  const db = require('./db') as KinesaliteDb;
  if (db.originalSequenceHelpers) return;
  const original: KinesaliteSequenceHelpers = {
    parseSequence: db.parseSequence,
    stringifySequence: db.stringifySequence,
    incrementSequence: db.incrementSequence,
    partitionKeyToHashKey: db.partitionKeyToHashKey,
  };
  Object.assign(db, fastSequenceHelpers(original, db.shardIxToHex, require('bignumber.js') as BigNumberClass));
  db.originalSequenceHelpers = original;
}
