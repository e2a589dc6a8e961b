/**
 * How a command can end other than with success. The CLI maps them to exit codes (UsageError → 2,
 * CancelledError → 130, everything else → 1) and prints the message as one line.
 */

/** Bad input from the person: a flag value, a missing argument, a config file problem. Exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A runtime failure with a message that already says what to do. Exit 1. */
export class StockpipeError extends Error {
  override readonly name = 'StockpipeError';
}

/** The pipeline asked for does not exist: the command says how to create it, with the same flags. */
export class PipelineNotFoundError extends StockpipeError {}

/**
 * The person stopped the command part-way (Ctrl+C, or at a prompt): exit 130, as for SIGINT. The
 * message says what was changed, or that nothing was: "Cancelled — nothing was changed".
 */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

export const NOTHING_CHANGED = 'Cancelled — nothing was changed';

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
