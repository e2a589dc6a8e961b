/**
 * The console of a Lambda sandbox under the JSON log format: what the Node.js runtime writes for
 * console.* calls, one JSON record a line — timestamp, level, requestId, message (util.format of
 * the arguments) and, for an Error argument, errorType / errorMessage / stackTrace.
 */
import { format } from 'node:util';

type Level = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

export function jsonLogLine(level: Level, requestId: string | undefined, args: unknown[]): string {
  const [message, ...params] = args;
  // Outside an invocation (init) the runtime writes "-".
  const record: Record<string, unknown> = { timestamp: new Date().toISOString(), level, requestId: requestId ?? '-' };
  if (params.length === 0) {
    // One argument is kept as it is: a string, an object as JSON, an Error as its fields.
    record.message = message;
    try {
      return JSON.stringify(record, errorFields);
    } catch {
      return JSON.stringify({ ...record, message: format(message) });
    }
  }
  record.message = format(message, ...params);
  const error = params.find((param): param is Error => param instanceof Error);
  if (error) {
    record.errorType = error.constructor?.name ?? 'UnknownError';
    record.errorMessage = error.message;
    record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(record);
}

function errorFields(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return {
    // The runtime's own errors (Runtime.*) by name; others by class, as the runtime writes them.
    errorType: value.name.startsWith('Runtime.') ? value.name : (value.constructor?.name ?? 'UnknownError'),
    errorMessage: value.message,
    stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    ...value,
  };
}

/**
 * The runtime's line for an invocation or init error under the JSON log format: the error alone
 * as the message ({errorType, errorMessage, stackTrace}).
 */
export function jsonErrorLine(requestId: string | undefined, error: unknown): string {
  return jsonLogLine('ERROR', requestId, [error instanceof Error ? error : new Error(String(error))]);
}

/** Replaces console.* with JSON-record writers to stdout; `requestId()` is the current invocation's. */
export function patchConsole(requestId: () => string | undefined, write: (line: string) => void): void {
  const writer =
    (level: Level) =>
    (...args: unknown[]) =>
      write(`${jsonLogLine(level, requestId(), args)}\n`);
  console.trace = writer('TRACE');
  console.debug = writer('DEBUG');
  console.info = writer('INFO');
  console.warn = writer('WARN');
  console.error = writer('ERROR');
  console.log = console.info;
}
