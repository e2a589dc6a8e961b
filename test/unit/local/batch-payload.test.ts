import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchLength, MAX_PAYLOAD_BYTES } from '../../../src/local/runner/poller.ts';

const MiB = 1024 * 1024;

describe('a batch stays within Lambda’s 6 MB invocation payload (issue 24: 1 MiB records made 100 MiB events)', () => {
  const size = (record: number) => record;

  it('cuts a batch of large records short, keeping their order; small ones fill the batch size', () => {
    const large = Array.from({ length: 60 }, () => 1.4 * MiB); // 1 MiB of data, base64
    assert.equal(batchLength(large, 100, size), 4);
    assert.ok(4 * 1.4 * MiB <= MAX_PAYLOAD_BYTES && 5 * 1.4 * MiB > MAX_PAYLOAD_BYTES);
    const small = Array.from({ length: 300 }, () => 600);
    assert.equal(batchLength(small, 100, size), 100);
    assert.equal(batchLength([600, 600, 6 * MiB, 600], 100, size), 2, 'up to the record that would pass the limit');
  });

  it('a record larger than the limit alone still goes, alone (the handler decides what to do with it)', () => {
    assert.equal(batchLength([7 * MiB, 600], 100, size), 1);
  });

  it('without sizes, the batch size alone', () => {
    assert.equal(batchLength([1, 2, 3], 2), 2);
    assert.equal(batchLength([1], 100), 1);
  });
});
