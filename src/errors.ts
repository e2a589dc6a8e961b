/**
 * The two kinds of failure a command can end with. The CLI maps them to exit codes
 * (UsageError → 2, everything else → 1) and prints the message as one line.
 */

/** Bad input from the person: a flag value, a missing argument, a config file problem. Exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A runtime failure with a message that already says what to do. Exit 1. */
export class StockpipeError extends Error {
  override readonly name = 'StockpipeError';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
