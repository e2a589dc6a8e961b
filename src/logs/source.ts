/**
 * Where `stockpipe tail` reads log events from: CloudWatch Logs on AWS, log files offline.
 * A source returns the events of the asked window across every log group it covers, interleaved
 * in time order with each event id once.
 */

export const LOG_FUNCTIONS = ['ingest', 'trends'] as const;
export type LogFunction = (typeof LOG_FUNCTIONS)[number];

export interface LogEvent {
  /** Unique per event within its source (CloudWatch's eventId). */
  id: string;
  fn: LogFunction;
  group: string;
  stream: string;
  /** Epoch milliseconds, as the function logged it. */
  timestamp: number;
  message: string;
}

export interface LogWindow {
  /** Epoch ms, inclusive. */
  startTime: number;
  endTime?: number;
  /** CloudWatch filter pattern syntax (a plain term matches messages containing it). */
  filterPattern?: string;
  signal?: AbortSignal;
}

export interface LogEventSource {
  read(window: LogWindow): Promise<LogEvent[]>;
}

/** Interleave per-group lists by timestamp (ties keep their group's order) and drop repeated ids. */
export function mergeEvents(lists: readonly (readonly LogEvent[])[]): LogEvent[] {
  const seen = new Set<string>();
  const merged: LogEvent[] = [];
  for (const list of lists) {
    for (const event of list) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      merged.push(event);
    }
  }
  // Array.prototype.sort is stable: equal timestamps stay in arrival order.
  return merged.sort((a, b) => a.timestamp - b.timestamp);
}

export function isThrottling(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name ?? '';
  return name === 'ThrottlingException' || name === 'LimitExceededException' || name === 'TooManyRequestsException';
}
