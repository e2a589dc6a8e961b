/**
 * Makes the handlers' logs readable. The handlers log Powertools JSON (level, message, timestamp,
 * service, cold_start, function_* and xray_trace_id, plus their own keys). Under the JSON log
 * format (what setup configures, and the local runner writes) Lambda adds {timestamp, level,
 * requestId, message} records for console output and errors, and platform.* records; under the
 * Text format, plain START/END/REPORT lines, "Task timed out" and tab-separated runtime lines. Three renderings: short (one
 * line, key fields), detailed (every field, stacks) and json (one object per event).
 */
import type { ChalkInstance } from 'chalk';
import { printable } from '../core/printable.ts';
import type { LogEvent } from './source.ts';

export const LOG_FORMATS = ['short', 'detailed', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ParsedLog {
  /** Upper case: DEBUG, INFO, WARN, ERROR, CRITICAL, TIMEOUT, or undefined for Lambda's own lines. */
  level: string | undefined;
  message: string;
  /** The JSON log object's other keys (Powertools boilerplate included). */
  fields: Record<string, unknown>;
  /** START / END / REPORT / INIT_START: Lambda's bookkeeping, dimmed (tail shows it with --all). */
  platform: boolean;
}

/** What a REPORT line (or platform.report) says about one invocation. */
export interface InvocationReport {
  durationMs: number;
  memoryUsedMb?: number;
  memorySizeMb?: number;
}

/** Duration and memory from Lambda's REPORT line, plain or JSON; undefined for anything else. */
export function invocationReport(parsed: ParsedLog): InvocationReport | undefined {
  if (!parsed.platform) return undefined;
  const metrics = (parsed.fields.record as { metrics?: Record<string, unknown> } | undefined)?.metrics;
  if (parsed.fields.type === 'platform.report' && typeof metrics?.durationMs === 'number') {
    return {
      durationMs: metrics.durationMs,
      ...(typeof metrics.maxMemoryUsedMB === 'number' ? { memoryUsedMb: metrics.maxMemoryUsedMB } : {}),
      ...(typeof metrics.memorySizeMB === 'number' ? { memorySizeMb: metrics.memorySizeMB } : {}),
    };
  }
  const duration = /^REPORT .*?\bDuration: ([\d.]+) ms/.exec(parsed.message);
  if (!duration) return undefined;
  const size = /Memory Size: (\d+) MB/.exec(parsed.message);
  const used = /Max Memory Used: (\d+) MB/.exec(parsed.message);
  return {
    durationMs: Number(duration[1]),
    ...(used ? { memoryUsedMb: Number(used[1]) } : {}),
    ...(size ? { memorySizeMb: Number(size[1]) } : {}),
  };
}

/** Keys every Powertools line carries: hidden in short output, shown in detailed. */
const BOILERPLATE = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'requestId',
]);

const PLATFORM_LINE = /^(START|END|REPORT|INIT_START|EXTENSION|TELEMETRY) /;
/** Node runtime lines: `<iso time>\t<request id>\t<LEVEL>\t<message>`. */
const RUNTIME_LINE = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\t([0-9a-f-]+|undefined)\t([A-Z]+)\t([\s\S]*)$/;

export function parseLogMessage(raw: string): ParsedLog {
  const text = raw.replace(/\n+$/, '');
  if (/Task timed out after/.test(text)) {
    return { level: 'TIMEOUT', message: text.replace(/^.*?(Task timed out)/, '$1'), fields: {}, platform: false };
  }
  if (text.startsWith('{')) {
    try {
      const value = JSON.parse(text) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const record = value as Record<string, unknown>;
        const level = typeof record.level === 'string' ? record.level.toUpperCase() : undefined;
        const fields = { ...record };
        delete fields.level;
        delete fields.message;
        // The JSON log format logs an error alone as the message: {errorType, errorMessage, stackTrace}.
        const error = record.message as { errorType?: unknown; errorMessage?: unknown } | null;
        if (error && typeof error === 'object' && typeof error.errorType === 'string') {
          const message = `${error.errorType}: ${String(error.errorMessage ?? '')}`;
          return { level, message, fields: { ...fields, error }, platform: false };
        }
        const message =
          typeof record.message === 'string'
            ? record.message
            : record.message === undefined
              ? ''
              : JSON.stringify(record.message);
        // Lambda's JSON log format puts platform events in {"type":"platform.start", "record":{…}}.
        const platform = typeof record.type === 'string' && record.type.startsWith('platform.');
        return { level, message: message || (platform ? String(record.type) : ''), fields, platform };
      }
    } catch {
      // not JSON after all: fall through to plain text
    }
  }
  if (PLATFORM_LINE.test(text))
    return { level: undefined, message: text.replace(/\t/g, ' ').trim(), fields: {}, platform: true };
  const runtime = RUNTIME_LINE.exec(text);
  if (runtime) {
    const [, requestId, level, message] = runtime;
    const inner = parseLogMessage(message ?? '');
    return {
      level: inner.level ?? level,
      message: inner.message || (message ?? ''),
      fields: { ...inner.fields, ...(requestId && requestId !== 'undefined' ? { request_id: requestId } : {}) },
      platform: false,
    };
  }
  return { level: undefined, message: text, fields: {}, platform: false };
}

export function isProblem(parsed: ParsedLog): boolean {
  return (
    parsed.level === 'ERROR' || parsed.level === 'CRITICAL' || parsed.level === 'FATAL' || parsed.level === 'TIMEOUT'
  );
}

function levelText(parsed: ParsedLog, style: ChalkInstance): string {
  const level = (parsed.level ?? '').padEnd(5);
  switch (parsed.level) {
    case 'ERROR':
    case 'CRITICAL':
    case 'FATAL':
    case 'TIMEOUT':
      return style.bold.red(level);
    case 'WARN':
    case 'WARNING':
      return style.yellow(level);
    case 'INFO':
      return style.cyan(level);
    case 'DEBUG':
    case 'TRACE':
      return style.dim(level);
    default:
      return level;
  }
}

/** `14:30:00.123 ingest INFO  stored batch  records=100 bucket=…` */
export function renderShort(event: LogEvent, parsed: ParsedLog, style: ChalkInstance): string {
  const time = new Date(event.timestamp).toISOString().slice(11, 23);
  const head = `${style.dim(time)} ${style.magenta(event.fn.padEnd(6))} ${levelText(parsed, style)}`;
  if (parsed.platform) {
    const report = invocationReport(parsed);
    const text = report
      ? `REPORT ${report.durationMs.toFixed(1)} ms${report.memoryUsedMb !== undefined ? ` · ${report.memoryUsedMb}${report.memorySizeMb !== undefined ? `/${report.memorySizeMb}` : ''} MB` : ''}`
      : parsed.message;
    return `${head} ${style.dim(printable(text))}`;
  }
  const keys = Object.entries(parsed.fields)
    .filter(([key]) => !BOILERPLATE.has(key))
    .map(([key, value]) => `${style.dim(`${printable(key)}=`)}${shortValue(value)}`);
  const message = isProblem(parsed) ? style.bold.red(printable(parsed.message)) : printable(parsed.message);
  return [head, message, ...keys].join(' ').trimEnd();
}

/** Everything: full time, group and stream, each field on its own line, stacks unfolded. */
export function renderDetailed(event: LogEvent, parsed: ParsedLog, style: ChalkInstance): string {
  const time = new Date(event.timestamp).toISOString();
  const message = isProblem(parsed) ? style.bold.red(printable(parsed.message)) : printable(parsed.message);
  const lines = [
    `${style.dim(time)} ${style.magenta(event.fn)} ${levelText(parsed, style).trimEnd()} ${message}`.replace(
      / +/g,
      ' ',
    ),
    style.dim(printable(`  ${event.group} ${event.stream} #${event.id}`)),
  ];
  for (const [key, value] of Object.entries(parsed.fields)) {
    if (key === 'timestamp') continue;
    // An error's stack is unfolded below the object instead of one long escaped string.
    let shown = value;
    let stack: string | undefined;
    if (value && typeof value === 'object' && typeof (value as { stack?: unknown }).stack === 'string') {
      const { stack: trace, ...rest } = value as { stack: string };
      shown = rest;
      stack = trace;
    }
    const text = typeof shown === 'string' ? shown : (JSON.stringify(shown, null, 2) ?? 'null');
    const [first, ...rest] = text.split('\n');
    lines.push(`  ${style.dim(`${printable(key)}:`)} ${printable(first ?? '')}`);
    for (const line of rest) lines.push(`    ${printable(line)}`);
    for (const line of stack?.split('\n').slice(1) ?? []) lines.push(`    ${style.dim(printable(line.trim()))}`);
  }
  return lines.join('\n');
}

/** One NDJSON object per event: where it came from, its level and message, and the parsed log object. */
export function toJsonRecord(event: LogEvent, parsed: ParsedLog): Record<string, unknown> {
  return {
    timestamp: new Date(event.timestamp).toISOString(),
    function: event.fn,
    log_group: event.group,
    log_stream: event.stream,
    event_id: event.id,
    level: parsed.level ?? null,
    message: parsed.message,
    fields: parsed.fields,
  };
}

function shortValue(value: unknown): string {
  if (value && typeof value === 'object' && 'message' in value && 'name' in value) {
    const error = value as { name: unknown; message: unknown };
    return printable(`${String(error.name)}: ${String(error.message)}`);
  }
  const text = typeof value === 'string' ? (/\s/.test(value) ? JSON.stringify(value) : value) : JSON.stringify(value);
  return printable(text.length > 120 ? `${text.slice(0, 119)}…` : text);
}
