import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it, mock } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

/**
 * What a thread started after the collector sees as `gc`, in a fresh node with `flags`: the
 * collector must leave the process's V8 flags as they were. (It once switched --expose-gc on and
 * off at run time; threads doing that at once raced, and the local stack failed to start.)
 */
function gcSeenByALaterThread(flags: string[]): string {
  const collector = pathToFileURL(fileURLToPath(new URL('../../../src/local/quiet-collector.ts', import.meta.url)));
  const script = `
    import { Worker } from 'node:worker_threads';
    const { collectWhenQuiet } = await import(${JSON.stringify(collector.href)});
    collectWhenQuiet()();
    const worker = new Worker('import("node:worker_threads").then((w) => w.parentPort.postMessage(typeof gc))', { eval: true });
    worker.once('message', (seen) => { process.stdout.write(seen); worker.terminate(); });
  `;
  const child = spawnSync(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', ...flags, '--input-type=module', '--eval', script],
    { encoding: 'utf8' },
  );
  assert.equal(child.status, 0, child.stderr);
  return child.stdout;
}

describe('collectWhenQuiet and the process', () => {
  it('uses the gc the command line exposes, and leaves it exposed to threads started later (the Lambda runtime has it)', () => {
    assert.equal(gcSeenByALaterThread(['--expose-gc']), 'function');
  });

  it('exposes no gc where the command line does not', () => {
    assert.equal(gcSeenByALaterThread([]), 'undefined');
  });
});
