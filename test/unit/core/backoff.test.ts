import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs } from '../../../src/core/backoff.ts';
import { producerBackoffMs } from '../../../src/producer/clock.ts';

describe('backoffMs', () => {
  it('full jitter: from 0 up to min(cap, base·2^attempt)', () => {
    const policy = { baseMs: 50, capMs: 2000 };
    assert.equal(
      backoffMs(0, policy, () => 0),
      0,
    );
    assert.equal(
      backoffMs(3, policy, () => 0.999999),
      399,
    );
    assert.equal(
      backoffMs(10, policy, () => 0.999999),
      1999,
      'capped',
    );
  });

  it('the producer never waits less than its base, and never more than the cap', () => {
    assert.equal(
      producerBackoffMs(0, 100, 5000, () => 0),
      100,
    );
    assert.equal(
      producerBackoffMs(4, 100, 5000, () => 0),
      100,
    );
    assert.equal(
      producerBackoffMs(4, 100, 5000, () => 0.5),
      850,
    );
    assert.equal(
      producerBackoffMs(20, 100, 5000, () => 0.999999),
      4999,
    );
  });
});
