/**
 * Log files as a log-event source, for the local target: the local Lambda runner writes each
 * function's output to `.stockpipe/local/logs/<function>.log` as JSON lines (Powertools lines as
 * they are, platform START/REPORT lines in Lambda's JSON log format). An event's id is its file
 * and byte offset, stable across reads, so `tail --follow` never prints a line twice.
 */
import { open } from 'node:fs/promises';
import { compileFilterPattern } from './filter-pattern.ts';
import { type LogEvent, type LogEventSource, type LogFunction, type LogWindow, mergeEvents } from './source.ts';

export interface LogFileRef {
  fn: LogFunction;
  /** The function name, shown where CloudWatch shows the log group. */
  group: string;
  path: string;
}

export class LocalFileLogSource implements LogEventSource {
  private readonly files: readonly LogFileRef[];

  constructor(files: readonly LogFileRef[]) {
    this.files = files;
  }

  async read(window: LogWindow): Promise<LogEvent[]> {
    const matches = compileFilterPattern(window.filterPattern);
    const lists = await Promise.all(
      this.files.map(async (file) => {
        const events: LogEvent[] = [];
        for (const { offset, line } of await readLines(file.path)) {
          const timestamp = lineTimestamp(line);
          if (timestamp === undefined || timestamp < window.startTime) continue;
          if (window.endTime !== undefined && timestamp > window.endTime) continue;
          if (!matches(line)) continue;
          events.push({
            id: `${file.path}:${offset}`,
            fn: file.fn,
            group: file.group,
            stream: 'local',
            timestamp,
            message: line,
          });
        }
        return events;
      }),
    );
    return mergeEvents(lists);
  }
}

/** Whole lines with their byte offsets; a missing file (the function has not run yet) has none. */
async function readLines(path: string): Promise<{ offset: number; line: string }[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const bytes = await handle.readFile();
    const lines: { offset: number; line: string }[] = [];
    let start = 0;
    for (let newline = bytes.indexOf(10); newline !== -1; newline = bytes.indexOf(10, start)) {
      // A line still being written has no newline yet: it is read on the next poll.
      const line = bytes.subarray(start, newline).toString('utf8').trim();
      if (line) lines.push({ offset: start, line });
      start = newline + 1;
    }
    return lines;
  } finally {
    await handle.close();
  }
}

/** Powertools writes `timestamp`, Lambda's platform lines `time`; both ISO-8601. */
function lineTimestamp(line: string): number | undefined {
  try {
    const record = JSON.parse(line) as { timestamp?: unknown; time?: unknown };
    const value = typeof record.timestamp === 'string' ? record.timestamp : record.time;
    const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    return Number.isFinite(time) ? time : undefined;
  } catch {
    return undefined;
  }
}
