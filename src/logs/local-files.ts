/**
 * Log files as a log-event source, for the local target: the local Lambda runner writes each
 * function's output to `.stockpipe/local/logs/<function>.log` as JSON lines (Powertools lines as
 * they are, platform START/REPORT lines in Lambda's JSON log format). An event's id is its file
 * and byte offset, stable across reads, so `tail --follow` never prints a line twice.
 *
 * Each read parses only what was appended since the last one, and keeps parsed events only from
 * the window's start on: `tail --follow` polls every 1–2 s over logs that keep growing. A window
 * starting before what was dropped (no caller of ours asks for one) re-reads the file.
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

interface FileCache {
  /** Bytes parsed so far (always the end of a whole line). */
  offset: number;
  /** Parsed events, oldest first, none before `keptFrom`. */
  events: LogEvent[];
  keptFrom: number;
}

export class LocalFileLogSource implements LogEventSource {
  private readonly files: readonly LogFileRef[];
  private readonly caches = new Map<string, FileCache>();

  constructor(files: readonly LogFileRef[]) {
    this.files = files;
  }

  async read(window: LogWindow): Promise<LogEvent[]> {
    const matches = compileFilterPattern(window.filterPattern);
    const lists = await Promise.all(
      this.files.map(async (file) =>
        (await this.refresh(file, window.startTime)).filter(
          (event) =>
            event.timestamp >= window.startTime &&
            (window.endTime === undefined || event.timestamp <= window.endTime) &&
            matches(event.message),
        ),
      ),
    );
    return mergeEvents(lists);
  }

  /** The file's events from `startTime` on, after parsing what was appended since the last read. */
  private async refresh(file: LogFileRef, startTime: number): Promise<LogEvent[]> {
    let cache = this.caches.get(file.path);
    if (!cache || startTime < cache.keptFrom) cache = { offset: 0, events: [], keptFrom: Number.NEGATIVE_INFINITY };
    const appended = await readLinesFrom(file.path, cache.offset);
    if (appended.restarted) cache.events = [];
    for (const { offset, line } of appended.lines) {
      const timestamp = lineTimestamp(line);
      if (timestamp === undefined) continue;
      cache.events.push({
        id: `${file.path}:${offset}`,
        fn: file.fn,
        group: file.group,
        stream: 'local',
        timestamp,
        message: line,
      });
    }
    cache.offset = appended.end;
    cache.events = cache.events.filter((event) => event.timestamp >= startTime);
    cache.keptFrom = Math.max(cache.keptFrom, startTime);
    this.caches.set(file.path, cache);
    return cache.events;
  }
}

interface Appended {
  lines: { offset: number; line: string }[];
  /** Where the next read starts: just after the last whole line. */
  end: number;
  /** The file is shorter than before (recreated): it was read from the start. */
  restarted: boolean;
}

/** Whole lines from `from` on, with their byte offsets; a missing file (the function has not run yet) has none. */
async function readLinesFrom(path: string, from: number): Promise<Appended> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], end: 0, restarted: from > 0 };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const restarted = size < from;
    const start = restarted ? 0 : from;
    const bytes = Buffer.alloc(size - start);
    await handle.read(bytes, 0, bytes.length, start);
    const lines: { offset: number; line: string }[] = [];
    let lineStart = 0;
    for (let newline = bytes.indexOf(10); newline !== -1; newline = bytes.indexOf(10, lineStart)) {
      // A line still being written has no newline yet: it is read on the next poll.
      const line = bytes.subarray(lineStart, newline).toString('utf8').trim();
      if (line) lines.push({ offset: start + lineStart, line });
      lineStart = newline + 1;
    }
    return { lines, end: start + lineStart, restarted };
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
