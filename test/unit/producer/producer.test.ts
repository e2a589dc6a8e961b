import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { StockEvent } from '../../../src/core/event.ts';
import { sleep } from '../../../src/producer/clock.ts';
import { createPrintSink } from '../../../src/producer/print-sink.ts';
import { Producer } from '../../../src/producer/producer.ts';
import { createSyntheticSource, SYNTHETIC_DEFAULTS } from '../../../src/producer/synthetic.ts';
import type { EventSink, EventSource, Poll } from '../../../src/producer/types.ts';
import { stockEvent } from '../../helpers/lambda-events.ts';
import { waitFor } from '../../helpers/wait.ts';

const synthetic = (symbols = ['AAPL', 'MSFT']) => createSyntheticSource({ ...SYNTHETIC_DEFAULTS, symbols });

/** A sink that holds events until flush, like a batcher with a long linger. */
function holdingSink() {
  const held: StockEvent[] = [];
  const delivered: StockEvent[] = [];
  const sink: EventSink = {
    async add(event) {
      held.push(event);
    },
    async flush() {
      delivered.push(...held.splice(0));
    },
    stats: () => ({ sent: delivered.length, failed: 0, retried: 0 }),
  };
  return { sink, held, delivered };
}

describe('Producer', () => {
  it('stops at --count exactly, even mid-poll, and flushes', async () => {
    const { sink, delivered, held } = holdingSink();
    const summary = await new Producer({ source: synthetic(['A', 'B', 'C']), sink, intervalMs: 0, count: 40 }).start();
    assert.equal(delivered.length, 40);
    assert.equal(held.length, 0);
    assert.equal(summary.produced, 40);
    assert.equal(summary.sent, 40);
    assert.equal(summary.reason, 'count');
  });

  it('stops at the end of the source', async () => {
    let polls = 0;
    const source: EventSource = {
      name: 'finite',
      async poll(): Promise<Poll> {
        polls++;
        const events = (await synthetic(['A']).poll(new AbortController().signal)).events;
        return { events, done: polls === 3 };
      },
    };
    const { sink, delivered } = holdingSink();
    const summary = await new Producer({ source, sink, intervalMs: 0 }).start();
    assert.equal(delivered.length, 3);
    assert.equal(summary.reason, 'end-of-source');
  });

  it('on abort stops fetching at once — even inside a slow poll — and flushes what it had', async () => {
    const controller = new AbortController();
    let polls = 0;
    const source: EventSource = {
      name: 'slow',
      async poll(signal): Promise<Poll> {
        polls++;
        if (polls === 1) return { events: (await synthetic(['A']).poll(signal)).events };
        // The second request hangs like a stuck HTTP call.
        controller.abort();
        return new Promise(() => {});
      },
    };
    const { sink, delivered } = holdingSink();
    const summary = await new Producer({ source, sink, intervalMs: 0, signal: controller.signal }).start();
    assert.equal(polls, 2);
    assert.equal(delivered.length, 1);
    assert.equal(summary.reason, 'signal');
  });

  it('stop() ends fetching and start() still resolves after the flush', async () => {
    const { sink, delivered } = holdingSink();
    let seen = 0;
    const producer = new Producer({
      source: synthetic(['A']),
      sink,
      intervalMs: 0,
      onEvent: () => {
        if (delivered.length === 0 && ++seen === 5) producer.stop();
      },
    });
    const summary = await producer.start();
    assert.equal(summary.produced, 5);
    assert.equal(delivered.length, 5);
    assert.equal(summary.reason, 'signal');
  });

  it('stops after --duration while waiting between polls', async () => {
    const { sink, delivered } = holdingSink();
    const summary = await new Producer({ source: synthetic(['A']), sink, intervalMs: 60_000, durationMs: 20 }).start();
    assert.equal(delivered.length, 1);
    assert.equal(summary.reason, 'duration');
  });

  it('closes the source when it ends', async () => {
    let closed = false;
    const source: EventSource = {
      name: 'x',
      poll: async () => ({ events: [], done: true }),
      close: async () => {
        closed = true;
      },
    };
    await new Producer({ source, sink: createPrintSink(new PassThrough()), intervalMs: 0 }).start();
    assert.ok(closed);
  });
});

describe('Producer memory', () => {
  it('keeps no reference to the events of earlier polls while it runs (issue 16: memory grew with the run)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const refs: WeakRef<object>[] = [];
    let alive = -1;
    const source: EventSource = {
      name: 'counting',
      async poll(): Promise<Poll> {
        if (refs.length === 200) {
          // Let the earlier polls' promise jobs finish, then collect.
          await new Promise((resolve) => setImmediate(resolve));
          gc();
          alive = refs.slice(0, 100).filter((ref) => ref.deref() !== undefined).length;
          return { events: [], done: true };
        }
        const poll: Poll = { events: [] };
        refs.push(new WeakRef(poll));
        return poll;
      },
    };
    const { sink } = holdingSink();
    await new Producer({ source, sink, intervalMs: 0 }).start();
    assert.equal(alive, 0, `${alive} of the first 100 polls are still reachable`);
  });
});

describe('waits longer than Node’s timer limit (issue 16: --duration 999d ended after 1 ms)', () => {
  it('--duration 999d does not stop the producer early', async () => {
    let polls = 0;
    const source: EventSource = {
      name: 'slow',
      async poll(): Promise<Poll> {
        polls++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { events: [], done: polls === 3 };
      },
    };
    const { sink } = holdingSink();
    const summary = await new Producer({ source, sink, intervalMs: 0, durationMs: 999 * 86_400_000 }).start();
    assert.equal(summary.reason, 'end-of-source');
  });

  it('a 30-day sleep waits (until its signal aborts)', async () => {
    const controller = new AbortController();
    let resolved = false;
    const slept = sleep(30 * 86_400_000, controller.signal).then(() => {
      resolved = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(resolved, false);
    controller.abort();
    await slept;
    assert.equal(resolved, true);
  });
});

/** An event of symbol S0 or S1 (two lanes of the batcher). */
const quote = (i: number) => stockEvent({ event_id: `id-${i}`, symbol: `S${i % 2}` });

describe('stream accounting when the destination fails mid-run (issue 24)', () => {
  it('waits for the calls in flight before it summarises; produced = sent + failed + not sent', async () => {
    const { KinesisBatcher } = await import('../../../src/producer/batcher.ts');
    // Two lanes: one call is held in flight, the other finds the stream gone (deleted under us).
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const batches: number[] = [];
    const client = {
      async send(command: { input: { Records?: unknown[] } }) {
        const records = command.input.Records ?? [];
        calls++;
        if (calls === 1) {
          await held;
          return { $metadata: {}, Records: records.map(() => ({ SequenceNumber: '1', ShardId: 's' })) };
        }
        throw Object.assign(new Error('Stream gone'), { name: 'ResourceNotFoundException' });
      },
    };
    const sink = new KinesisBatcher({
      client: client as never,
      streamName: 's',
      concurrency: 2,
      maxRecords: 10,
      lingerMs: 1,
      onBatch: (result) => batches.push(result.records),
    });
    let n = 0;
    const source: EventSource = {
      name: 'endless',
      async poll(): Promise<Poll> {
        return { events: Array.from({ length: 10 }, () => quote(n++)) };
      },
    };
    const producer = new Producer({ source, sink, intervalMs: 0 });
    let finished = false;
    const run = producer.start().then((summary) => {
      finished = true;
      return summary;
    });
    // The failing lane has failed: the run stops producing, but one call is still in flight.
    await waitFor(() => calls >= 2 && batches.length >= 1, 'the failed call');
    await sleep(20);
    assert.equal(finished, false, 'no summary while a call is in flight');
    const reportedBefore = batches.length;
    release();
    const summary = await run;
    assert.equal(summary.reason, 'sink-failed');
    assert.ok(batches.length > reportedBefore, 'the held call reported before the summary');
    assert.equal(summary.produced, summary.sent + summary.failed + summary.notSent);
    assert.ok(summary.sent > 0 && summary.failed > 0, JSON.stringify(summary));
    assert.equal(
      batches.reduce((sum, records) => sum + records, 0),
      summary.sent + summary.failed,
      'every batch reported',
    );
  });
});
