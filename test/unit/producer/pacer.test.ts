import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPacer, type PipelineProgress } from '../../../src/producer/pacer.ts';
import { Producer } from '../../../src/producer/producer.ts';
import type { EventSink, EventSource } from '../../../src/producer/types.ts';
import { waitFor } from '../../helpers/wait.ts';

const stats = (sent: number) => ({ sent, failed: 0, retried: 0 });

/**
 * A daemon whose progress advances by a script, one step per look; the sleeps are counted, never
 * slept, and move a fake clock.
 */
function scripted(steps: (PipelineProgress | undefined)[]) {
  let looks = 0;
  let clock = 0;
  const slept: number[] = [];
  return {
    progress: async () => steps[Math.min(looks++, steps.length - 1)],
    sleep: async (ms: number) => {
      slept.push(ms);
      clock += ms;
    },
    now: () => clock,
    get looks() {
      return looks;
    },
    slept,
  };
}

describe('the pacer (stream waits for the local pipeline)', () => {
  it('lets the producer on at once while within bounds, and asks again only after a quarter more was sent', async () => {
    const daemon = scripted([{ ingestRead: 0, trendsPending: 0 }]);
    const pace = createPacer({ ...daemon, maxInFlight: 100 });
    const signal = new AbortController().signal;
    await pace(stats(0), signal);
    await pace(stats(24), signal);
    assert.equal(daemon.looks, 1, 'fewer than 25 sent since the last look: no request to the daemon');
    await pace(stats(25), signal);
    assert.equal(daemon.looks, 2);
    assert.deepEqual(daemon.slept, []);
  });

  it('waits while more than maxInFlight sent records are unread by ingest, until ingest catches up', async () => {
    const daemon = scripted([
      { ingestRead: 1000, trendsPending: 0 }, // first look: the baseline (an earlier run's records)
      { ingestRead: 1000, trendsPending: 0 },
      { ingestRead: 1050, trendsPending: 0 },
      { ingestRead: 1150, trendsPending: 0 },
    ]);
    const pace = createPacer({ ...daemon, maxInFlight: 100, pollMs: 50 });
    const signal = new AbortController().signal;
    await pace(stats(0), signal);
    await pace(stats(250), signal);
    // 250 sent: 250 behind, 200 behind, then 100 behind (within bounds).
    assert.deepEqual(daemon.slept, [50, 50]);
    assert.equal(daemon.looks, 4);
  });

  it('waits while the trends function has more than maxInFlight stream records to take', async () => {
    const daemon = scripted([
      { ingestRead: 0, trendsPending: 500 },
      { ingestRead: 0, trendsPending: 101 },
      { ingestRead: 0, trendsPending: 100 },
    ]);
    const pace = createPacer({ ...daemon, maxInFlight: 100, pollMs: 10 });
    await pace(stats(0), new AbortController().signal);
    assert.deepEqual(daemon.slept, [10, 10]);
  });

  it('does not hold the producer when the daemon cannot tell (not running)', async () => {
    const pace = createPacer({
      progress: async () => {
        throw new Error('ECONNREFUSED');
      },
      sleep: async () => assert.fail('no wait without a daemon to wait for'),
    });
    await pace(stats(10_000), new AbortController().signal);
  });

  it('counts from zero again after a daemon restart resets its counters', async () => {
    const daemon = scripted([
      { ingestRead: 500, trendsPending: 0 },
      { ingestRead: 0, trendsPending: 0 }, // restarted: 0 < 500
    ]);
    const pace = createPacer({ ...daemon, maxInFlight: 100 });
    const signal = new AbortController().signal;
    await pace(stats(0), signal);
    await pace(stats(1000), signal);
    assert.deepEqual(daemon.slept, [], 'the records sent before the restart are not counted as behind');
  });

  it('says once that the pipeline takes nothing, and keeps waiting until stopped', async () => {
    const daemon = scripted([{ ingestRead: 0, trendsPending: 0 }]);
    const stalls: number[] = [];
    const stop = new AbortController();
    const pace = createPacer({
      ...daemon,
      maxInFlight: 100,
      pollMs: 1000,
      stallMs: 5000,
      onStall: (behind) => stalls.push(behind),
      sleep: async (ms) => {
        await daemon.sleep(ms);
        if (daemon.now() >= 20_000) stop.abort();
      },
    });
    await pace(stats(0), stop.signal);
    await pace(stats(300), stop.signal);
    assert.deepEqual(stalls, [300]);
    assert.equal(daemon.now(), 20_000, 'the wait ended with the stop');
  });

  it('the producer asks the pacer before every poll, and does not poll while it waits', async () => {
    let polls = 0;
    const source: EventSource = {
      name: 'scripted',
      async poll() {
        polls++;
        return { events: [], done: polls === 3 };
      },
    };
    const sink: EventSink = { add: async () => undefined, flush: async () => undefined, stats: () => stats(0) };
    const paced: number[] = [];
    let release: (() => void) | undefined;
    const producer = new Producer({
      source,
      sink,
      intervalMs: 0,
      pace: async () => {
        paced.push(polls);
        if (polls === 1) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    const done = producer.start();
    await waitFor(() => release, 'the producer to ask the pacer after its first poll', { intervalMs: 1 });
    assert.equal(polls, 1, 'held before the second poll');
    release?.();
    const summary = await done;
    assert.equal(summary.reason, 'end-of-source');
    assert.deepEqual(paced, [0, 1, 2]);
  });
});
