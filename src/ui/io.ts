/**
 * Where a command's output goes, and what kind of terminal is on the other end.
 * Results go to stdout, progress and logs to stderr. Commands receive an IO and never touch
 * `process` directly, so tests run them with the capture double from `createCaptureIO`.
 */
import { PassThrough, type Readable, Writable } from 'node:stream';
import { Chalk, type ChalkInstance } from 'chalk';
import { wrapText } from './wrap.ts';

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
  yes: boolean;
  /** False when --no-color was given. NO_COLOR and a non-TTY (per stream) also turn colour off. */
  color: boolean;
}

export interface IO {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  readonly env: Record<string, string | undefined>;
  /** A person is watching stderr: live spinners and status lines are fine. */
  readonly isInteractive: boolean;
  /** A person can answer a question: a TTY on both ends, not CI, no --yes, no --json. */
  readonly canPrompt: boolean;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly yes: boolean;
  /** Colours for what goes to stdout: level 0 unless stdout itself is a colour terminal. */
  readonly style: ChalkInstance;
  /** Colours for what goes to stderr: level 0 unless stderr itself is a colour terminal. */
  readonly errStyle: ChalkInstance;
  /** Print a result line on stdout. */
  out(line: string): void;
  /** Print a progress or log line on stderr. */
  err(line: string): void;
  /** Print exactly one JSON document on stdout. */
  outJson(value: unknown): void;
  /** Print one NDJSON line on stdout (for commands that stream). */
  outJsonLine(value: unknown): void;
  /** A verbose-only line on stderr. */
  debug(line: string): void;
}

interface Terminal {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}

export function isCI(env: Record<string, string | undefined>): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export function createIO(terminal: Terminal, options: OutputOptions): IO {
  const { env } = terminal;
  const stderrTTY = terminal.stderr.isTTY === true;
  const noColorEnv = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const forceColor = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  // Each stream is coloured only when it is a terminal itself: `stockpipe status | grep` from a
  // terminal gets plain stdout while stderr keeps its colours.
  const colourFor = (stream: { isTTY?: boolean }) =>
    new Chalk({
      level: options.color && !noColorEnv && (forceColor || (stream.isTTY === true && env.TERM !== 'dumb')) ? 2 : 0,
    });
  const isInteractive = stderrTTY && !options.json && !isCI(env) && env.TERM !== 'dumb';
  const canPrompt = isInteractive && terminal.stdin.isTTY === true && !options.yes;
  const style = colourFor(terminal.stdout);
  const errStyle = colourFor(terminal.stderr);
  const write = (stream: Writable, text: string) => stream.write(text.endsWith('\n') ? text : `${text}\n`);
  // At a terminal a line wider than it is wrapped at spaces (a terminal folds it anywhere), and
  // around a suggested command, never inside it: a copied half command runs something else.
  const say = (stream: Writable & { isTTY?: boolean; columns?: number }, text: string) =>
    write(stream, stream.isTTY === true ? wrapText(text, stream.columns) : text);

  return {
    stdout: terminal.stdout,
    stderr: terminal.stderr,
    stdin: terminal.stdin,
    env,
    isInteractive,
    canPrompt,
    json: options.json,
    verbose: options.verbose,
    yes: options.yes,
    style,
    errStyle,
    out: (line) => say(terminal.stdout, line),
    err: (line) => say(terminal.stderr, line),
    outJson: (value) => write(terminal.stdout, JSON.stringify(value, null, 2)),
    outJsonLine: (value) => write(terminal.stdout, JSON.stringify(value)),
    debug: (line) => {
      if (options.verbose) write(terminal.stderr, errStyle.dim(line));
    },
  };
}

export interface CaptureIO {
  io: IO;
  stdout(): string;
  stderr(): string;
}

export interface CaptureOptions extends Partial<OutputOptions> {
  /** Pretend both streams are terminals (a person at a terminal). */
  tty?: boolean;
  /** Per stream, overriding `tty`: e.g. stdout piped while stderr is a terminal. */
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  env?: Record<string, string | undefined>;
}

/** An IO that records everything, for tests. */
export function createCaptureIO(options: CaptureOptions = {}): CaptureIO {
  const chunks = { stdout: [] as string[], stderr: [] as string[] };
  const capture = (into: string[], isTTY: boolean) => {
    // _write runs synchronously, so a test reads exactly what was written so far.
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        into.push(chunk.toString('utf8'));
        done();
      },
    });
    return Object.assign(stream, { isTTY, columns: 100 });
  };
  const { tty = false, stdoutTTY = tty, stderrTTY = tty, env = {}, ...output } = options;
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  const io = createIO(
    { stdout: capture(chunks.stdout, stdoutTTY), stderr: capture(chunks.stderr, stderrTTY), stdin, env },
    { json: false, verbose: false, yes: false, color: false, ...output },
  );
  return { io, stdout: () => chunks.stdout.join(''), stderr: () => chunks.stderr.join('') };
}

/** The terminal's width when stdout is one: tables and long lines fit it. Undefined for a pipe. */
export function terminalWidth(io: Pick<IO, 'stdout'>): number | undefined {
  const stdout = io.stdout as { isTTY?: boolean; columns?: number };
  return stdout.isTTY === true && stdout.columns ? stdout.columns : undefined;
}
