/** The slice of the Powertools logger the handlers use, so tests can pass a recorder. */
export interface HandlerLog {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** What a thrown AWS SDK error says, flattened for a log line. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return { error: error.name, error_message: error.message, ...(status ? { http_status: status } : {}) };
}
