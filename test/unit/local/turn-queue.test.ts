import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TurnQueue } from '../../../src/local/daemon/turn-queue.ts';

/** Lets every pending promise reaction run. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** Whether a promise has settled, once every pending reaction has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await flush();
  return done;
}

describe('TurnQueue: writes take turns by what they touch', () => {
  it('a write touching something else runs at once; one sharing a thing waits for every earlier write of it', async () => {
    const queue = new TurnQueue();
    const a1 = queue.enter(['A']);
    const b1 = queue.enter(['B']);
    const ab = queue.enter(['A', 'B']);
    const a2 = queue.enter(['A', 'A']);
    assert.equal(await settled(a1.turn), true);
    assert.equal(await settled(b1.turn), true, 'B does not wait for A');
    assert.equal(await settled(ab.turn), false);
    a1.leave();
    assert.equal(await settled(ab.turn), false, 'still waiting for B');
    b1.leave();
    assert.equal(await settled(ab.turn), true);
    assert.equal(await settled(a2.turn), false, 'arrival order: after the write that holds A and B');
    ab.leave();
    assert.equal(await settled(a2.turn), true);
    a2.leave();
    await flush();
    assert.equal(queue.busy, 0, 'nothing is left behind');
  });

  it('leaving out of order never lets a later write overtake an earlier one', async () => {
    const queue = new TurnQueue();
    const first = queue.enter(['A']);
    const second = queue.enter(['A']);
    const third = queue.enter(['A']);
    second.leave(); // a write that failed before its turn still leaves
    assert.equal(await settled(third.turn), false, 'the first still holds A');
    first.leave();
    assert.equal(await settled(third.turn), true);
    third.leave();
    await flush();
    assert.equal(queue.busy, 0);
  });
});
