/** What the producer loop pulls events from and pushes them into. */
import type { StockEvent } from '../core/event.ts';

/** One pull from a source. */
export interface Poll {
  events: StockEvent[];
  /** The source is exhausted (end of a replay file): the loop stops after these events. */
  done?: boolean;
  /**
   * Wait at least this long before the next poll (the interval still applies when longer): a
   * replay's own pace, or a backoff after Yahoo refused a request.
   */
  delayMs?: number;
}

export interface EventSource {
  readonly name: string;
  /** The next observations; must not throw for transient trouble (report it and return none). */
  poll(signal: AbortSignal): Promise<Poll>;
  /** Release files or sockets; called once when the loop ends. */
  close?(): Promise<void>;
}

/** Counters of what happened to the events handed to a sink. */
export interface SinkStats {
  /** Accepted by the destination (written to stdout for a dry run). */
  sent: number;
  /** Given up on after the retry bound. */
  failed: number;
  /** Entry resends after a partial failure. */
  retried: number;
}

export interface EventSink {
  /** Queue one event; resolves when there is room for more (backpressure). */
  add(event: StockEvent): Promise<void>;
  /** Resolves once everything added so far has been accepted or given up on. */
  flush(): Promise<void>;
  stats(): SinkStats;
}

/** Where sources say what happened (stderr in the CLI, an array in tests). */
export type Reporter = (line: string) => void;
