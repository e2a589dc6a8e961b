import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { collectWhenQuiet } from '../../../src/local/quiet-collector.ts';

const MB = 1024 * 1024;

/** A collector on fake timers: `held` and `busy` are what the next look sees. */
function harness() {
  mock.timers.enable({ apis: ['setInterval'] });
  const state = { held: 100 * MB, busy: 0, collections: 0 };
  const stop = collectWhenQuiet({
    everyMs: 1000,
    growthBytes: 8 * MB,
    quietUtilization: 0.05,
    heldBytes: () => state.held,
    busySinceLastLook: () => state.busy,
    collect: () => {
      state.collections++;
    },
  });
  const look = () => mock.timers.tick(1000);
  return { state, look, stop };
}

describe('collectWhenQuiet', () => {
  it('collects once a grown thread goes quiet, and not again until it grows again', (t) => {
    const { state, look, stop } = harness();
    t.after(() => {
      stop();
      mock.timers.reset();
    });
    state.held += 40 * MB;
    state.busy = 0.9;
    look();
    assert.equal(state.collections, 0, 'busy: V8 collects as it allocates');
    state.busy = 0.01;
    look();
    assert.equal(state.collections, 1, 'grown and quiet: one full collection');
    state.held = 101 * MB; // what the collection freed is gone by the next look, which sets the baseline
    look();
    look();
    look();
    assert.equal(state.collections, 1, 'nothing grew since');
    state.held += 9 * MB;
    look();
    assert.equal(state.collections, 2);
  });

  it('leaves a thread alone that grew less than the threshold', (t) => {
    const { state, look, stop } = harness();
    t.after(() => {
      stop();
      mock.timers.reset();
    });
    state.held += 7 * MB;
    for (let i = 0; i < 5; i++) look();
    assert.equal(state.collections, 0);
  });

  it('stops looking when stopped', (t) => {
    const { state, look, stop } = harness();
    t.after(() => mock.timers.reset());
    stop();
    state.held += 40 * MB;
    look();
    assert.equal(state.collections, 0);
  });
});
