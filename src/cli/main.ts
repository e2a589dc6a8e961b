/**
 * `main(argv, handles)` runs the CLI once and resolves to its exit code: 0 success, 1 failure,
 * 2 bad usage. It never calls process.exit, so end-to-end tests call it directly.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { describeAwsError } from '../aws/errors.ts';
import { errorMessage, StockpipeError, UsageError } from '../errors.ts';
import type { ProcessHandles } from './process-handles.ts';
import { buildProgram } from './program.ts';
import type { Runner } from './run-command.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export async function main(argv: string[], handles: ProcessHandles): Promise<number> {
  const runner: Runner = { handles, exitCode: EXIT_OK };
  const program = buildProgram(runner, packageVersion());
  const verbose = argv.includes('--verbose');
  try {
    if (argv.length === 0) {
      handles.stdout.write(program.helpInformation());
      return EXIT_OK;
    }
    await program.parseAsync(argv, { from: 'user' });
    return runner.exitCode;
  } catch (error) {
    return reportError(error, handles, verbose);
  }
}

function reportError(error: unknown, handles: ProcessHandles, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // commander already printed its message; help and --version end here successfully.
    const success = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    return success.includes(error.code) ? EXIT_OK : EXIT_USAGE;
  }
  const code = error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  const message =
    error instanceof UsageError || error instanceof StockpipeError
      ? error.message
      : (describeAwsError(error) ?? `${errorMessage(error)} (run again with --verbose for details)`);
  for (const line of message.split('\n')) handles.stderr.write(`error: ${line}\n`);
  if (verbose && error instanceof Error && error.stack) handles.stderr.write(`${error.stack}\n`);
  return code;
}

let cachedVersion: string | undefined;

/** The version from package.json (two levels up from both src/cli and dist/cli). */
export function packageVersion(): string {
  cachedVersion ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return cachedVersion;
}

/** Run with the real process: signals abort the command, a second Ctrl+C exits at once. */
export async function runFromProcess(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that stops early (`stockpipe tail --follow | head`) is not a failure: end quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      // A command that listens itself (stream) stops gracefully and prints its summary.
      if (stream.listenerCount('error') === 1) process.exit(0);
    });
  }
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.exitCode = code;
  // A client or emulator socket left open must not keep a finished command alive.
  setTimeout(() => process.exit(code), 2000).unref();
}
