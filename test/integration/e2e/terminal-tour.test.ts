/**
 * The acceptance tour of issue 30: every command run as a person runs it — in a checkout, as
 * `npx stockpipe`, in a pseudo-terminal of 80×24 (script(1)) — with the screen read back by a
 * real terminal emulator (@xterm/headless). On every screen: no line wider than 80 (the
 * emulator marks a line the terminal had to fold), every backquoted suggestion whole on one
 * line, and each suggestion, pasted into a shell, exits 0.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import xterm from '@xterm/headless';
import { BIN, freshWorkdir, pipelineCounters, waitUntil } from './harness.ts';

const COLUMNS = 80;
const ROWS = 24;
const HAS_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
const CI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const skip = !HAS_SCRIPT && !CI ? 'script(1) (util-linux) is not installed' : false;

/** A screen as the terminal shows it, as logical lines: a line the terminal folded is one line here. */
interface Screen {
  code: number | null;
  lines: { text: string }[];
}

const { cwd, dispose } = freshWorkdir('tour');
after(dispose);

// `npx stockpipe` as in a checkout after `npm ci`, without the registry: a shim on PATH that runs
// this build; bare `stockpipe` is not on PATH, so every suggestion must say `npx stockpipe`.
const shims = join(cwd, '.shims');
mkdirSync(shims);
writeFileSync(
  join(shims, 'npx'),
  `#!/bin/sh\nif [ "$1" = stockpipe ]; then shift; exec "${process.execPath}" "${BIN}" "$@"; fi\necho "npx: only stockpipe in this test" >&2\nexit 127\n`,
);
chmodSync(join(shims, 'npx'), 0o755);
const env: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined &&
      !['CI', 'NO_COLOR', 'FORCE_COLOR', 'npm_command', 'COLUMNS', 'LINES'].includes(entry[0]),
  ),
);
// Pasted into a person's shell: bash, which lets a command Ctrl+C stopped say how it ended. script(1)
// runs $SHELL, and a non-interactive dash (/bin/sh here) dies of the Ctrl+C itself: 130, whatever
// the command exits with.
const BASH = spawnSync('sh', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim();
Object.assign(env, {
  PATH: `${shims}:${dirname(process.execPath)}:/usr/bin:/bin`,
  TERM: 'xterm-256color',
  SHELL: BASH,
});

/**
 * Runs a shell command line in an 80×24 pseudo-terminal and returns the screen (scrollback
 * included). `interruptAfterMs`: press Ctrl+C then, for commands that run until stopped.
 */
async function atTerminal(
  commandLine: string,
  interruptAfterMs?: number,
  answer?: { when: RegExp; type: string },
): Promise<Screen> {
  const terminal = new xterm.Terminal({ cols: COLUMNS, rows: ROWS, scrollback: 5000, allowProposedApi: true });
  const child = spawn('script', ['-qefc', `stty cols ${COLUMNS} rows ${ROWS}; ${commandLine}`, '/dev/null'], {
    cwd,
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let written = Promise.resolve();
  let printed = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const before = written;
    written = before.then(() => new Promise((resolve) => terminal.write(chunk, resolve)));
    // A question: typed as a person would, once it is on the screen.
    printed += chunk.toString('utf8');
    const pending = answer;
    if (pending?.when.test(printed)) {
      child.stdin.write(pending.type);
      answer = undefined;
    }
  });
  // What a full-screen command (watch) showed, read before Ctrl+C: it leaves the screen as it was.
  let shown: Screen['lines'] = [];
  const timer =
    interruptAfterMs === undefined
      ? undefined
      : setTimeout(async () => {
          await written;
          shown = screenLines(terminal);
          child.stdin.write('\x03');
        }, interruptAfterMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  child.stdin.destroy();
  await written;
  const lines = [...shown, ...screenLines(terminal)];
  terminal.dispose();
  return { code, lines };
}

/** The terminal's lines, scrollback included, as logical lines (a folded line is one line here). */
function screenLines(terminal: xterm.Terminal): Screen['lines'] {
  const buffer = terminal.buffer.active;
  const lines: Screen['lines'] = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    if (!line) continue;
    const text = line.translateToString(true);
    // The terminal folded the line before: the two are one line printed wider than the terminal.
    const previous = lines.at(-1);
    if (line.isWrapped && previous) previous.text += text;
    else lines.push({ text });
  }
  while (lines.length > 0 && lines.at(-1)?.text === '') lines.pop();
  return lines;
}

const run = (args: string, interruptAfterMs?: number) => atTerminal(`exec npx stockpipe ${args}`, interruptAfterMs);

/** The backquoted suggestions on a screen, after checking that none is broken across lines. */
function suggestions(screen: Screen, what: string): string[] {
  const found: string[] = [];
  for (const { text } of screen.lines) {
    const quotes = (text.match(/`/g) ?? []).length;
    assert.equal(quotes % 2, 0, `${what}: a suggestion is broken across lines at: ${text}`);
    for (const match of text.matchAll(/`([^`]+)`/g)) if (match[1]?.startsWith('npx stockpipe ')) found.push(match[1]);
  }
  return found;
}

/**
 * No line the terminal had to fold: nothing printed is wider than 80 columns — but for a
 * suggestion too long for any line, which stands whole on a line of its own.
 */
function fitsTheWidth(screen: Screen, what: string): void {
  for (const { text } of screen.lines) {
    if (text.length <= COLUMNS) continue;
    const alone = /^\s*`[^`]+`[.,;:]?\s*$/.test(text);
    assert.ok(alone, `${what}: a line ${text.length} wide: ${text}`);
  }
}

/** A suggested command that runs until stopped: pasted, it gets Ctrl+C after a few seconds. */
const RUNS_UNTIL_STOPPED = /^npx stockpipe (stream|watch|demo)\b|\s(--follow|-f)\b/;

/** Every suggestion pasted into a shell exits 0. */
async function pasteEach(found: string[], what: string): Promise<void> {
  for (const suggestion of new Set(found)) {
    const pasted = await atTerminal(suggestion, RUNS_UNTIL_STOPPED.test(suggestion) ? 6_000 : undefined);
    assert.equal(pasted.code, 0, `${what}: pasted \`${suggestion}\`:\n${pasted.lines.map((l) => l.text).join('\n')}`);
  }
}

/** The screen, checked: the width and the suggestions, which are pasted. */
async function check(screen: Screen, what: string): Promise<string> {
  fitsTheWidth(screen, what);
  await pasteEach(suggestions(screen, what), what);
  return screen.lines.map((line) => line.text).join('\n');
}

/** A time cut short: a date or a time of day followed by an ellipsis, or hours and minutes alone. */
const CUT_TIME = /\d{4}-\d{2}(-\d{2}(T[\d:.]*)?)?…|\b\d{2}:\d{2}(\.\d*)?…|T\d{2}:\d{2}(?![:\d])/;

describe('the tour at an 80×24 terminal, as `npx stockpipe` in a checkout', { skip }, () => {
  const screens: Record<string, string> = {};

  it('a missing pipeline: status suggests the setup that creates it, whole, and it works', async () => {
    const screen = await run('status --target local --name nosuch');
    screens.nosuch = await check(screen, 'status --name nosuch');
    assert.match(screens.nosuch, /`npx stockpipe setup --name nosuch --target local`/);
  });

  it('setup, stream, status, every named query, alerts, tail', async () => {
    const tour: [string, string, number?][] = [
      ['setup', 'setup --target local --name tour'],
      [
        'stream',
        'stream --target local --name tour --source synthetic --symbol AAPL --symbol MSFT --count 400 --interval 0',
      ],
    ];
    for (const [what, args] of tour) {
      const screen = await run(args);
      assert.equal(screen.code, 0, `${what}:\n${screen.lines.map((l) => l.text).join('\n')}`);
      screens[what] = await check(screen, what);
    }
    // Everything streamed so far (the pasted suggestions stream too) has gone through both functions.
    await waitUntil(
      async () => {
        const { ingest, trends } = await pipelineCounters(cwd, 'tour');
        const stored = ingest?.recordsSucceeded ?? 0;
        return (
          (stored >= 400 && trends?.recordsSucceeded === stored && (trends.pendingStreamRecords ?? 0) === 0) ||
          `${stored}`
        );
      },
      'the tour pipeline to drain',
      { timeoutMs: 60_000 },
    );
    const later: [string, string, number?][] = [
      ['status', 'status --target local --name tour'],
      ['top-movers', 'query top-movers --target local --name tour'],
      ['avg-volume', 'query avg-volume --target local --name tour'],
      ['anomalies', 'query anomalies --target local --name tour'],
      ['latest', 'query latest --target local --name tour'],
      ['history', 'query history --symbol AAPL --limit 5 --target local --name tour'],
      ['alerts', 'alerts --target local --name tour'],
      ['tail', 'tail --target local --name tour'],
    ];
    for (const [what, args, interrupt] of later) {
      const screen = await run(args, interrupt);
      assert.ok(
        screen.code === 0 || what === 'status',
        `${what} exits 0:\n${screen.lines.map((l) => l.text).join('\n')}`,
      );
      screens[what] = await check(screen, what);
    }
    assert.match(screens.status ?? '', /`npx stockpipe [^`]*--name tour --target local`/);
  });

  it('backtest and watch', async () => {
    const closes = Array.from({ length: 60 }, (_, i) => 100 + 10 * Math.sin(i / 5));
    const day = (i: number) => new Date(Date.UTC(2016, 0, 4) + i * 86_400_000).toISOString().slice(0, 10);
    writeFileSync(
      join(cwd, 'daily.csv'),
      `Date,Open,High,Low,Close,Volume\n${closes.map((c, i) => `${day(i)},${c},${c},${c},${c},100`).join('\n')}\n`,
    );
    for (const [what, args, interrupt] of [
      ['backtest', 'backtest --file daily.csv --symbol AAPL'],
      ['watch', 'watch --target local --name tour --symbol AAPL --symbol MSFT', 4_000],
    ] as const) {
      const screen = await run(args, interrupt);
      assert.equal(screen.code, 0, `${what}:\n${screen.lines.map((l) => l.text).join('\n')}`);
      screens[what] = await check(screen, what);
    }
  });

  it('every time column shows seconds', () => {
    for (const what of ['alerts', 'top-movers', 'anomalies', 'latest', 'history']) {
      const cut = (screens[what] ?? '').split('\n').find((line) => CUT_TIME.test(line));
      assert.equal(cut, undefined, `${what}: a time without its seconds: ${cut}`);
    }
  });

  it('query latest and watch agree on a symbol’s change', async () => {
    const latest = await atTerminal('npx stockpipe query latest --target local --name tour --json | cat');
    const rows = JSON.parse(latest.lines.map((line) => line.text).join('')) as {
      symbol: string;
      change_percent: number;
    }[];
    const aapl = rows.find((row) => row.symbol === 'AAPL');
    assert.ok(aapl, 'query latest has AAPL');
    screens.watch ??= (await run('watch --target local --name tour --symbol AAPL --symbol MSFT', 4_000)).lines
      .map((line) => line.text)
      .join('\n');
    const shown = screens.watch.match(/AAPL[^\n]*?\(([+\-−]?\d+(?:\.\d+)?)\s?%\)/);
    assert.ok(shown, `watch shows AAPL's change in percent:\n${screens.watch}`);
    assert.ok(
      Math.abs(Number(shown[1]?.replace('−', '-')) - aapl.change_percent) < 0.01,
      `${shown[1]} vs ${aapl.change_percent}`,
    );
  });

  it('a wrong name at cleanup’s question cancels it: exit 130, on a line of its own, no success mark', async () => {
    const screen = await atTerminal('exec npx stockpipe cleanup --target local --name tour', undefined, {
      when: /Type the pipeline name \(tour\) to confirm:/,
      type: 'wrong\r',
    });
    const text = screen.lines.map((line) => line.text);
    assert.equal(screen.code, 130, text.join('\n'));
    assert.ok(text.includes("Cancelled — 'wrong' is not tour: nothing was deleted"), text.join('\n'));
    assert.ok(!text.some((line) => line.includes('✔')), text.join('\n'));
    fitsTheWidth(screen, 'cleanup refused');
  });

  it('cleanup, then the demo', async () => {
    for (const [what, args] of [
      ['cleanup', 'cleanup --target local --name tour --yes'],
      ['cleanup nosuch', 'cleanup --target local --name nosuch --yes'],
      ['demo', 'demo --duration 5s'],
    ] as const) {
      const screen = await run(args);
      assert.equal(screen.code, 0, `${what}:\n${screen.lines.map((l) => l.text).join('\n')}`);
      await check(screen, what);
    }
  });
});
