/** The --dry-run sink: every event as one NDJSON line, nothing sent anywhere. */
import type { StockEvent } from '../core/event.ts';
import type { EventSink, SinkStats } from './types.ts';

export function createPrintSink(writeLine: (event: StockEvent) => void): EventSink {
  let sent = 0;
  return {
    async add(event) {
      writeLine(event);
      sent++;
    },
    async flush() {},
    stats: (): SinkStats => ({ sent, failed: 0, retried: 0 }),
  };
}
