/**
 * An ora spinner on io's stderr, for callers that already know (io.isInteractive) that stderr is a
 * terminal. Always enabled: ora's own check reads the process's CI and TERM, not this run's, and
 * where it disagrees prints "- text" lines into the output. stdin is left alone, so Ctrl+C stays
 * the terminal's SIGINT. ora loads only here, when a spinner is wanted.
 */
import type { Options, Ora } from 'ora';
import type { IO } from './io.ts';

export async function terminalSpinner(
  io: IO,
  options: Omit<Options, 'stream' | 'isEnabled' | 'discardStdin'> = {},
): Promise<Ora> {
  const { default: ora } = await import('ora');
  return ora({ ...options, stream: io.stderr, isEnabled: true, discardStdin: false });
}
