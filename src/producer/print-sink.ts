/** The --dry-run sink: every event as one NDJSON line, nothing sent anywhere. */
import type { Writable } from 'node:stream';
import type { EventSink, SinkStats } from './types.ts';

export function createPrintSink(out: Writable): EventSink {
  let sent = 0;
  return {
    async add(event) {
      sent++;
      // Respect the pipe's backpressure (`| jq`, `> file`) instead of buffering without bound.
      if (!out.write(`${JSON.stringify(event)}\n`)) await drained(out);
    },
    async flush() {},
    stats: (): SinkStats => ({ sent, failed: 0, retried: 0 }),
  };
}

/** Resolves when the stream can take more, or is gone (a closed pipe must not hang the loop). */
function drained(out: Writable): Promise<void> {
  if (out.destroyed || out.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}
