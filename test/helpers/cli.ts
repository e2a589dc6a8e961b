/** Runs the CLI in-process with captured output: the end-to-end path minus the process itself. */
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import stringWidth from 'string-width';
import { main } from '../../src/cli/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  tty?: boolean;
  /** With `tty`: the terminal's width. */
  columns?: number;
  signal?: AbortSignal;
  /** Called with all of stdout so far after each write: lets a test react to what is printed. */
  onStdout?: (stdoutSoFar: string) => void;
  /** The same for stderr (progress, prompts). */
  onStderr?: (stderrSoFar: string) => void;
}

export async function runCli(argv: string[], options: CliOptions = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[], onWrite?: (soFar: string) => void) =>
    Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          into.push(chunk.toString('utf8'));
          onWrite?.(into.join(''));
          done();
        },
      }),
      options.tty === true
        ? {
            isTTY: true,
            ...(options.columns ? { columns: options.columns } : {}),
            // What a terminal stream has and spinners use; the output is captured, so they do nothing.
            cursorTo: () => true,
            moveCursor: () => true,
            clearLine: () => true,
          }
        : { isTTY: false },
    );
  const code = await main(argv, {
    stdout: sink(out, options.onStdout),
    stderr: sink(err, options.onStderr),
    stdin: Object.assign(new PassThrough(), { isTTY: options.tty === true }),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/**
 * Runs the CLI and asserts it refused the input as bad usage: exit 2, nothing on stdout, and one
 * line on stderr matching `pattern`.
 */
export async function expectUsageError(argv: readonly string[], pattern: RegExp, options: CliOptions = {}) {
  const { code, stdout, stderr } = await runCli([...argv], options);
  assert.equal(code, 2, stderr);
  assert.equal(stdout, '');
  assert.match(stderr, pattern);
  assert.equal(stderr.trimEnd().split('\n').length, 1, 'one line');
}

/** What a line takes on screen: colour codes take no room, a wide character two columns. */
export function visibleWidth(line: string): number {
  return stringWidth(line);
}
