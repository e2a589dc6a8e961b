import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  fastSequenceHelpers,
  installKinesaliteFastPath,
  kinesaliteRequire as kinesaliteRequireOf,
  originalKinesaliteHelpers,
  type SequenceParts,
} from '../../../src/local/daemon/kinesalite-fast-path.ts';

const original = originalKinesaliteHelpers();
const kinesaliteRequire = kinesaliteRequireOf();
const BigNumber = kinesaliteRequire('bignumber.js');
const fast = fastSequenceHelpers(original, original.shardIxToHex, BigNumber);

/** A return value or a thrown message, so both helpers can be held to the same behaviour. */
function outcome(call: () => unknown): unknown {
  try {
    return { value: call() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${length}}$`));
const sequenceParts: fc.Arbitrary<SequenceParts> = fc.record(
  {
    version: fc.constantFrom(undefined, null, 0, 1, 2, 3),
    shardCreateTime: fc.oneof(fc.integer({ min: 0, max: 16_025_174_999_000 }), fc.constant(undefined)),
    shardIx: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: -3, max: 20 })),
    seqIx: fc.oneof(
      fc.maxSafeNat(),
      fc.integer({ min: -5, max: -1 }),
      fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
      fc.constant('not a number'),
    ),
    seqTime: fc.integer({ min: 0, max: 16_025_174_999_000 }),
    byte1: hex(2),
    seqRand: fc.oneof(hex(14), hex(16)),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<SequenceParts>;

describe('kinesalite fast path', () => {
  it('stringifySequence returns what kinesalite returns, for every version and odd input', () => {
    fc.assert(
      fc.property(sequenceParts, (parts) => {
        assert.deepEqual(
          outcome(() => fast.stringifySequence(parts)),
          outcome(() => original.stringifySequence(parts)),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('parseSequence returns what kinesalite returns, for its own sequences and arbitrary numbers', () => {
    const ownSequence = sequenceParts.map((parts) => outcome(() => original.stringifySequence(parts)));
    const sequences = fc.oneof(
      ownSequence.filter((o): o is { value: string } => 'value' in (o as object)).map((o) => o.value),
      fc.bigInt({ min: 0n, max: 2n ** 190n }).map(String),
      fc.bigInt({ min: 2n ** 185n, max: 3n * 2n ** 184n }).map(String),
      fc.stringMatching(/^\d{1,60}$/),
    );
    fc.assert(
      fc.property(sequences, (sequence) => {
        assert.deepEqual(
          outcome(() => fast.parseSequence(sequence)),
          outcome(() => original.parseSequence(sequence)),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('incrementSequence agrees from a sequence string and from parsed parts', () => {
    const v2 = sequenceParts.map((parts) => ({ ...parts, version: 2, shardIx: Math.abs(parts.shardIx ?? 0) }));
    fc.assert(
      fc.property(v2, fc.option(fc.integer({ min: 1, max: 16_025_174_999_000 })), (parts, seqTime) => {
        const sequence = outcome(() => original.stringifySequence(parts)) as { value?: string };
        if (sequence.value === undefined) return;
        const seq = sequence.value;
        assert.deepEqual(
          outcome(() => fast.incrementSequence(seq, seqTime)),
          outcome(() => original.incrementSequence(seq, seqTime)),
        );
        assert.deepEqual(
          outcome(() => fast.incrementSequence(original.parseSequence(seq))),
          outcome(() => original.incrementSequence(original.parseSequence(seq))),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('partitionKeyToHashKey gives the same 128-bit key, one shared instance per key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (key) => {
        const mine = fast.partitionKeyToHashKey(key) as { toFixed(): string };
        const theirs = original.partitionKeyToHashKey(key) as { toFixed(): string };
        assert.equal(mine.toFixed(), theirs.toFixed());
        assert.equal(fast.partitionKeyToHashKey(key), mine);
      }),
      { numRuns: 1000 },
    );
  });

  it('installs once into the db module kinesalite actions call', () => {
    installKinesaliteFastPath();
    const db = kinesaliteRequire('./db');
    const patched = db.stringifySequence;
    assert.notEqual(patched, original.stringifySequence);
    installKinesaliteFastPath();
    assert.equal(db.stringifySequence, patched);
    assert.equal(originalKinesaliteHelpers().stringifySequence, original.stringifySequence);
  });
});
