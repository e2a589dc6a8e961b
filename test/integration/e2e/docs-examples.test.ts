/**
 * Every example of docs/commands.md and the README that can run offline runs here, and prints
 * what the docs show under it: the lines up to the first `…`, and those after the last one (how
 * it ends). One local stack serves the file, in a
 * fresh folder prepared as the docs imply: `setup --target local`, a replay of a fixed quotes
 * file dated yesterday (inside every command's default window), the AAPL daily bars the
 * backtest examples name, and an NDJSON file of synthetic events. The examples run in the order
 * the state needs (the fixture's queries before other data is streamed; `local stop` last), each
 * as a person types it at an 80-column terminal (`| cat`, `| jq …` and `> file` as the shell
 * would do them), with `--target local` added where the docs' command names no target.
 *
 * Only what genuinely varies is normalised, on both sides alike (see `normalise`): durations and
 * rates; the fixture's day (yesterday) and the time of now; process ids and ports; the folder.
 * An example that needs AWS is listed in PLANS with the reason it is skipped (one whose output
 * shown is AWS's still runs offline and must exit 0), and a docs example this test does not know
 * fails it, so each new example is either run or given a reason. The README's troubleshooting
 * messages that can be caused offline are caused, and compared with the README's words.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { requireSharedData, sharedDataFile } from '../../helpers/shared-data.ts';
import { BIN, freshWorkdir, REPO_ROOT, spawnCli, waitForDrain, waitUntil } from './harness.ts';

const COLUMNS = 80;
const AAPL = sharedDataFile('aapl-daily-2015-2017.csv');

/** An example: a `$ stockpipe …` line (or a README `npx stockpipe …` line) and the output shown under it. */
interface Example {
  where: string;
  command: string;
  /** The lines shown first, up to the first line with a `…`. */
  shown: string[];
  /** The lines shown after the last `…` of an elided output: how it ends. */
  last: string[];
}

/** The examples of a markdown file: `$ `-prefixed lines in code blocks (or, with `bare`, every `npx stockpipe` line). */
function examplesOf(file: string, bare: boolean): Example[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  const examples: Example[] = [];
  let inBlock = false;
  let current: Example | undefined;
  let elided = false;
  text.split('\n').forEach((line, index) => {
    if (line.startsWith('```')) {
      inBlock = !inBlock;
      current = undefined;
      return;
    }
    if (!inBlock) return;
    const command = bare
      ? (line.match(/^npx (stockpipe .*)$/)?.[1] ?? line.match(/&& npx (stockpipe .*)$/)?.[1])
      : undefined;
    if (line.startsWith('$ ') || command !== undefined) {
      current = {
        where: `${file}:${index + 1}`,
        command: (command ?? line.slice(2)).replace(/\s+#.*$/, '').trim(),
        shown: [],
        last: [],
      };
      elided = false;
      examples.push(current);
    } else if (current && line.trim() === '') {
      current = undefined;
    } else if (current && line.includes('…')) {
      elided = true;
      current.last = [];
    } else if (current) {
      (elided ? current.last : current.shown).push(line);
    }
  });
  return examples;
}

/** The quotes fixture's rows (see quotesFixture). */
const FIXTURE_ROWS = 32;

/** How an example runs: skipped (why), or in which step of the file's order and on which target. */
type Plan =
  | { skip: string }
  | {
      step: number;
      local?: true;
      env?: Record<string, string>;
      /** Run in a folder where no setup ran (the example shows what `config` says there). */
      elsewhere?: true;
      /** After it: wait until the local pipeline has taken this many records. */
      drained?: number;
      /**
       * Why the output shown cannot be this run's — AWS's (its account, functions, bucket names),
       * or another lake's figures: the command runs offline and must exit 0, but its output is
       * not compared.
       */
      uncompared?: string;
      /** Its output counts the AAPL bars the replay example sends (skipped with it without them). */
      aapl?: true;
    };

const AWS_OUTPUT = 'its output is AWS’s (account, IAM, SNS, e-mail), and offline it exits 2';
const AWS_SHOWN = 'the output shown is AWS’s';
const LIVE_LAKE = 'the figures shown are of docs/lake.md’s live-data lake (18,735 objects), not of this small one';
/**
 * Every example, by its command as written. Steps:
 * 1 the fixture's queries, before anything else reaches the pipeline; 2 setup and stream;
 * 3 backtest; 4 the rest (`local status` while the pipeline holds the fixture and the AAPL
 * bars); 5 the README's tour, whose cleanup stops the stack, so that 5.5 `local start` starts
 * it; 6 a strategy file (after which a plain setup refuses, as documented) and the config that
 * names it; 7 `local env`; 8 stop; 9 reset; DEMO_STEP, last, the demo, which has run meanwhile
 * (started before the first step, in a folder and stack of its own).
 */
const DEMO_STEP = 10;
const PLANS: Record<string, Plan> = {
  // docs/commands.md
  // Without a terminal (a process of its own, meanwhile): the same lines, less the live progress line.
  'stockpipe demo --duration 20s': { step: DEMO_STEP },
  'stockpipe demo --keep && stockpipe alerts --target local --name stockpipe-demo': {
    skip: 'a minute-long demo left running; the --duration 20s example runs the demo',
  },
  'stockpipe setup --email you@example.com': { skip: AWS_OUTPUT },
  'stockpipe setup --dry-run --alert-lang es': { step: 2, local: true, uncompared: AWS_SHOWN },
  'stockpipe setup --name markets --strategy threshold --thresh-pct 2 --lookback 10': { step: 2, local: true },
  'stockpipe setup --strategy ./breakout.ts': { step: 6, local: true },
  'stockpipe setup --log-retention 30 --json': { step: 2, local: true },
  'stockpipe stream --source synthetic --symbol AAPL --symbol MSFT --duration 5m': {
    skip: 'streams for five minutes; the synthetic source runs in the --count examples',
  },
  'stockpipe stream --symbol AAPL --symbol MSFT --symbol GOOGL': { skip: 'Yahoo Finance needs the network' },
  'stockpipe stream --source synthetic --symbols-file watchlist.txt --seed 7 --interval 500ms --duration 10m': {
    skip: 'streams for ten minutes; the synthetic source runs in the --count examples',
  },
  'stockpipe stream --source synthetic --symbol AAPL --symbol MSFT --count 40 --interval 0 --dry-run': { step: 2 },
  'stockpipe stream --source replay --file aapl-daily-2015-2017.csv --symbol AAPL --json': {
    step: 2,
    local: true,
    drained: FIXTURE_ROWS + 506,
  },
  'stockpipe backtest --file aapl-daily-2015-2017.csv --symbol AAPL': { step: 3 },
  'stockpipe backtest --file aapl-daily-2015-2017.csv --symbol AAPL --strategy threshold --thresh-pct 3': { step: 3 },
  'stockpipe backtest --file aapl-daily-2015-2017.csv --symbol AAPL --strategy ./examples/strategies/rsi.mjs': {
    step: 3,
  },
  'stockpipe backtest --file events.ndjson --sma-short 10 --sma-long 50 --format csv > alerts.csv': { step: 3 },
  "stockpipe backtest --file events.ndjson --symbol MSFT --json | jq '.symbols'": { step: 3 },
  'stockpipe query sql "SELECT * FROM stock_data_table LIMIT 10;"': { step: 1, local: true },
  'stockpipe query sql "SELECT symbol, price, previous_close, (price - previous_close) AS price_change FROM stock_data_table ORDER BY price_change DESC LIMIT 5;"':
    { step: 1, local: true },
  'stockpipe query sql "SELECT symbol, AVG(volume) AS avg_volume FROM stock_data_table GROUP BY symbol;"': {
    step: 1,
    local: true,
  },
  'stockpipe query sql "SELECT symbol, price, previous_close, change_percent FROM stock_data_table WHERE ABS(change_percent) > 5;"':
    { step: 1, local: true },
  'stockpipe query top-movers': { step: 1, local: true },
  'stockpipe compact --target local --dry-run': { step: 4, uncompared: LIVE_LAKE },
  'stockpipe compact --target local': { step: 4, uncompared: LIVE_LAKE },
  // After the one above: nothing is left to compact.
  'stockpipe compact': { step: 4, local: true },
  'stockpipe compact --dry-run': { step: 4, local: true },
  'stockpipe tail --since 1h --target local': { step: 1 },
  'stockpipe status': { step: 1, local: true, uncompared: AWS_SHOWN },
  'stockpipe status --target local': { step: 1 },
  'stockpipe status --name markets --json': { step: 4, local: true },
  'stockpipe redrive --from quarantine --dry-run': { step: 4, local: true, uncompared: AWS_SHOWN },
  'stockpipe redrive --from quarantine': { step: 4, local: true, uncompared: AWS_SHOWN },
  'stockpipe redrive --from failed --since 1d --target local': { step: 4 },
  'stockpipe alerts': {
    skip: 'a live pipeline’s alerts, published seconds after their points; the --target local example shows replayed ones',
  },
  'stockpipe alerts --target local': { step: 1 },
  'stockpipe watch --symbol AAPL | cat': { step: 1, local: true },
  'stockpipe cleanup --dry-run': { step: 4, local: true, uncompared: AWS_SHOWN },
  'stockpipe cleanup': { skip: 'asks for the pipeline name at a terminal (the terminal tour types it)' },
  'stockpipe cleanup --name markets --yes --json': { step: 4, local: true },
  'stockpipe policy deploy --account 123456789012 --region eu-west-1 > deploy-policy.json': { step: 4 },
  'stockpipe policy use --name markets --account 123456789012 --region eu-west-1 --json': { step: 4 },
  'stockpipe config': { step: 4, env: { AWS_REGION: 'eu-west-1' }, elsewhere: true },
  'stockpipe config --json --name demo': { step: 4 },
  'stockpipe config --target local': { step: 6, env: { AWS_REGION: 'eu-west-1' } },
  'stockpipe local start': { step: 5.5 },
  'stockpipe local status': { step: 4, aapl: true },
  "stockpipe local status --json | jq '.daemon.pipelines[0].functions[0].recordsSucceeded'": { step: 4, aapl: true },
  'eval "$(stockpipe local env)"': { step: 7 },
  'aws kinesis put-record --stream-name stockpipe-stream --partition-key AAPL --cli-binary-format raw-in-base64-out --data \'{"symbol":"AAPL","timestamp":"2026-11-22T14:30:00Z","price":187.3}\'':
    { skip: 'the AWS CLI, not stockpipe (the local env example shows how it reaches the stack)' },
  'stockpipe local stop': { step: 8 },
  'stockpipe local reset --yes': { step: 9 },
  'eval "$(stockpipe completion bash)"': { step: 4 },
  'stockpipe completion zsh > ~/.zfunc/_stockpipe': { step: 4 },
  'stockpipe completion fish > ~/.config/fish/completions/stockpipe.fish': { step: 4 },
  // README.md (as `npx stockpipe …`)
  'stockpipe demo': { skip: 'a minute long; docs/commands.md’s demo --duration 20s runs the demo' },
  'stockpipe stream --symbol AAPL --symbol MSFT': { skip: 'Yahoo Finance needs the network' },
  'stockpipe tail --follow': { skip: 'follows until Ctrl+C (AWS in the README)' },
  'stockpipe setup --target local': { step: 5 },
  'stockpipe stream --source synthetic --symbol AAPL --count 300 --interval 0 --target local': { step: 5 },
  'stockpipe query latest --target local': { step: 5 },
  'stockpipe cleanup --target local --yes': { step: 5 },
  'stockpipe query top-movers --since 7d': { step: 4, local: true },
  'stockpipe alerts --since 7d': { step: 4, local: true },
  'stockpipe watch --symbol AAPL': { skip: 'a full-screen chart until q (the | cat example prints its snapshot)' },
  'stockpipe backtest --file aapl.csv --symbol AAPL': { step: 3 },
  'stockpipe policy deploy > policy.json': { skip: 'without --account it asks AWS STS for the account' },
  'stockpipe completion bash': { step: 4 },
};

/** The `npx stockpipe …` examples of the README's command table (backquoted in its rows). */
function readmeTableExamples(): Example[] {
  const lines = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').split('\n');
  return lines.flatMap((line, index) =>
    line.startsWith('| `')
      ? [...line.matchAll(/`npx (stockpipe [^`]+)`/g)].map((match) => ({
          where: `README.md:${index + 1}`,
          command: (match[1] as string).trim(),
          shown: [],
          last: [],
        }))
      : [],
  );
}

/** A command line's words as a POSIX shell splits them (quotes; no expansions); an unquoted `|` or `>` is an operator. */
function shellWords(line: string): { word: string; operator: boolean }[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((match) => ({
    word: match[1] ?? match[2] ?? (match[3] as string),
    operator: match[3] === '|' || match[3] === '>',
  }));
}

/** A command line as the shell runs it: the command's words, then what a `| …` or `> file` does with its output. */
function commandLine(line: string): { words: string[]; pipe?: string[]; redirect?: string } {
  const tokens = shellWords(line);
  const at = tokens.findIndex((token) => token.operator);
  const words = (at === -1 ? tokens : tokens.slice(0, at)).map((token) => token.word);
  if (at === -1) return { words };
  const rest = tokens.slice(at + 1).map((token) => token.word);
  return tokens[at]?.word === '|' ? { words, pipe: rest } : { words, redirect: rest[0] as string };
}

/**
 * What `jq '<path>'` prints for a plain path such as `.daemon.pipelines[0].recordsSucceeded` (the
 * only kind the docs pipe to), so that the test needs no jq installed.
 */
function jqPath(json: string, path: string): string {
  assert.match(path, /^(\.[A-Za-z_]\w*|\[\d+\])+$/, `a plain jq path: ${path}`);
  let value: unknown = JSON.parse(json);
  for (const [, key, index] of path.matchAll(/\.([A-Za-z_]\w*)|\[(\d+)\]/g)) {
    const holder = value as Record<string, unknown> | unknown[] | null;
    value =
      holder == null
        ? null
        : key !== undefined
          ? (holder as Record<string, unknown>)[key]
          : (holder as unknown[])[Number(index)];
  }
  return `${JSON.stringify(value ?? null, null, 2)}\n`;
}

/** The docs' frame: the fixture's day is shown as 2026-11-22, the examples run the next day. */
const DOC_DAYS = { yesterday: '2026-11-22', today: '2026-11-23' };

/**
 * What genuinely varies between runs, made the same on both sides (docs and output):
 * - the folder: the temporary folder's path → `<folder>`;
 * - the fixture's day: it is dated yesterday (inside every command's default window), shown in
 *   the docs as 2026-11-22;
 * - the time of now: a time on today's date (when an alert was published, the last alert) keeps
 *   its form but not its digits; the start of a default window (`since <ISO>`, a day ago) →
 *   `since <a day ago>`; the month of yesterday (compact's `months before 2026-11`) is shown as
 *   2026-11; the time a log line was written, at the start of a `tail` line → `<time>`;
 * - durations (`1.0s`, `282ms`, an uptime `2m14s`, `"elapsed_ms":412`) → `<d>`, rates (`18518 rows/s`,
 *   `"events_per_s":1228.16`) → `<rate>`, and how many invocations the local runner's batching
 *   window made of the records (`31 invocations`);
 * - process ids (`pid 48213`) and ports (`127.0.0.1:40917`).
 */
function normalise(line: string, days: { yesterday: string; today: string }, folder?: string): string {
  let out = folder ? line.replaceAll(folder, '<folder>') : line;
  out = out.replace(/\bsince \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, 'since <a day ago>');
  out = out.replace(new RegExp(`${days.today}[T ]\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z?`, 'g'), (time) =>
    time.replace(/\d/g, '#'),
  );
  out = out.replaceAll(days.yesterday, DOC_DAYS.yesterday);
  out = out.replace(new RegExp(`\\b${days.yesterday.slice(0, 7)}\\b(?!-\\d)`, 'g'), DOC_DAYS.yesterday.slice(0, 7));
  out = out.replace(/^\d\d:\d\d:\d\d\.\d{3} /, '<time> ');
  out = out.replace(/\b\d+m\d+(?:\.\d+)?s\b|\b\d+(?:\.\d+)?(?:ms|s)\b/g, '<d>');
  out = out.replace(/\b\d+(?:\.\d+)? (rows|events)\/s\b/g, '<rate> $1/s');
  out = out.replace(/"elapsed_ms":\d+/g, '"elapsed_ms":<d>').replace(/"events_per_s":[\d.]+/g, '"events_per_s":<rate>');
  out = out.replace(/\b\d+ invocations\b/g, '<n> invocations');
  out = out.replace(/\bpid \d+/g, 'pid <pid>').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>');
  return out;
}

const ESC = String.fromCharCode(27);
const SPINNER = new RegExp(`${ESC}\\[\\?2026h[^${ESC}]*${ESC}\\[\\?2026l|${ESC}\\[\\?25[lh]`, 'g');

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The quotes the query, alerts and watch examples show: two symbols' minutes on one day. Both
 * symbols' partition keys fall on one shard, so ingest logs one batch whatever the timing.
 */
function quotesFixture(day: string): string {
  const at = (minute: number) => `${day}T14:${String(minute).padStart(2, '0')}:00.000Z`;
  // AAPL falls from 203 to 189.50 and climbs back to 204: SMA-5 crosses above SMA-20 (a BUY).
  const aapl = [
    203, 202.5, 202, 201.2, 200.6, 199.8, 199, 198.1, 197.2, 196.4, 195.5, 194.6, 193.8, 193, 192.2, 191.5, 190.8,
    190.2, 189.8, 189.5, 189.9, 190.7, 191.9, 193.4, 195.2, 197, 198, 200.5, 202.2, 204,
  ];
  const quotes = [
    ...aapl.map((price, i) => ({
      symbol: 'AAPL',
      timestamp: at(i),
      price,
      previous_close: 200,
      volume: 1000 + 10 * i,
    })),
    { symbol: 'TSLA', timestamp: at(30), price: 239.2, previous_close: 240.6, volume: 3000 },
    // TSLA down 5.2 % on its previous close: the largest fall, flagged `anomaly` by ingest (above
    // its 5 % threshold; setup deploys no anomaly alerts).
    { symbol: 'TSLA', timestamp: at(31), price: 228.1, previous_close: 240.6, volume: 4200 },
  ];
  return `${quotes.map((quote) => JSON.stringify({ ...quote, currency: 'USD' })).join('\n')}\n`;
}

/** The CLI as its own process, stdout and stderr in the order they were written (as a terminal shows them). */
async function runInterleaved(args: string[], cwd: string): Promise<{ code: number | null; shown: string }> {
  const child = spawnCli(args, cwd);
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  return { code, shown: chunks.join('') };
}

interface Printed {
  code: number;
  /** What the terminal shows: stdout and stderr as they were written, or what the pipe's end printed. */
  lines: string[];
}

describe('every offline example of docs/commands.md and the README prints what the docs show', () => {
  const { cwd, dispose } = freshWorkdir('docs-examples');
  const demo = freshWorkdir('docs-examples-demo');
  after(async () => {
    await Promise.all([dispose(), demo.dispose()]);
  });
  // `stockpipe` as installed (the docs' convention): on PATH, so suggestions start with it.
  const shims = join(cwd, '.bin');
  // No colour: the docs show none.
  const env = (extra: Record<string, string> = {}) => ({
    PATH: `${shims}:${process.env.PATH ?? ''}`,
    NO_COLOR: '1',
    ...extra,
  });
  let days = { yesterday: '', today: '' };
  let demoRun: ReturnType<typeof runInterleaved> | undefined;

  async function run(command: string, plan: Exclude<Plan, { skip: string }>): Promise<Printed> {
    const evaluated = command.match(/^eval "\$\((stockpipe .*)\)"$/)?.[1];
    const { words: typed, pipe, redirect } = commandLine(evaluated ?? command);
    const words = typed.slice(1);
    if (plan.local) words.push('--target', 'local');
    const tty = evaluated === undefined && pipe === undefined && redirect === undefined;
    const written: string[] = [];
    const lengths = { out: 0, err: 0 };
    const result = await runCli(words, {
      cwd: plan.elsewhere ? join(cwd, 'elsewhere') : cwd,
      env: env(plan.env),
      tty,
      columns: COLUMNS,
      onStdout: (soFar) => {
        written.push(soFar.slice(lengths.out));
        lengths.out = soFar.length;
      },
      onStderr: (soFar) => {
        written.push(soFar.slice(lengths.err));
        lengths.err = soFar.length;
      },
    });
    // A spinner's frames (synchronised-output updates) are what a terminal erases again.
    let shown = written.join('').replace(SPINNER, '');
    if (redirect !== undefined) {
      writeFileSync(join(cwd, redirect.split('/').at(-1) as string), result.stdout);
      shown = result.stderr;
    } else if (pipe?.[0] === 'jq') {
      shown = result.stderr + jqPath(result.stdout, pipe[1] as string);
    } else if (evaluated !== undefined) {
      shown = result.stderr;
    }
    return { code: result.code, lines: shown.split('\n') };
  }

  before(async () => {
    // The fixture is dated yesterday; a run that crossed midnight UTC would see it as two days
    // ago, outside the default windows: start after midnight when it is that close.
    await waitUntil(() => Date.now() % 86_400_000 < 86_400_000 - 180_000, 'midnight UTC to pass', {
      timeoutMs: 200_000,
      intervalMs: 1000,
    });
    const now = Date.now();
    days = { yesterday: utcDay(now - 86_400_000), today: utcDay(now) };
    // The demo runs in a folder (and stack) of its own, meanwhile.
    demoRun = runInterleaved(['demo', '--duration', '20s'], demo.cwd);
    mkdirSync(shims);
    mkdirSync(join(cwd, 'elsewhere'));
    writeFileSync(join(shims, 'stockpipe'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    // The files the examples name, as a person would have them in the folder.
    writeFileSync(join(cwd, 'quotes.ndjson'), quotesFixture(days.yesterday));
    if (!AAPL.skip) {
      copyFileSync(requireSharedData(AAPL), join(cwd, 'aapl-daily-2015-2017.csv'));
      copyFileSync(requireSharedData(AAPL), join(cwd, 'aapl.csv'));
    }
    copyFileSync(join(REPO_ROOT, 'examples', 'strategies', 'breakout.ts'), join(cwd, 'breakout.ts'));
    cpSync(join(REPO_ROOT, 'examples', 'strategies'), join(cwd, 'examples', 'strategies'), { recursive: true });
    const events = await runCli(
      [
        'stream',
        '--source',
        'synthetic',
        '--symbol',
        'AAPL',
        '--symbol',
        'MSFT',
        '--count',
        '400',
        '--interval',
        '0',
        '--dry-run',
      ],
      { cwd, env: env() },
    );
    assert.equal(events.code, 0, events.stderr);
    writeFileSync(join(cwd, 'events.ndjson'), events.stdout);
    // The pipeline and its data, as `setup --target local` and a replay leave them.
    for (const argv of [
      ['setup', '--target', 'local', '--yes'],
      ['stream', '--target', 'local', '--source', 'replay', '--file', 'quotes.ndjson'],
    ]) {
      const step = await runCli(argv, { cwd, env: env() });
      assert.equal(step.code, 0, step.stderr);
    }
    await waitForDrain(cwd, FIXTURE_ROWS);
  });

  const all = [...examplesOf('docs/commands.md', false), ...examplesOf('README.md', true), ...readmeTableExamples()];
  const byCommand = new Map<string, Example[]>();
  for (const example of all) byCommand.set(example.command, [...(byCommand.get(example.command) ?? []), example]);

  it('knows every example of the docs: it runs it or says why not', () => {
    const unknown = [...byCommand.keys()].filter((command) => PLANS[command] === undefined);
    assert.deepEqual(unknown, [], 'examples without a plan');
    const stale = Object.keys(PLANS).filter((command) => !byCommand.has(command));
    assert.deepEqual(stale, [], 'plans of examples the docs no longer have');
    assert.ok(byCommand.size > 50, `${byCommand.size} examples`);
  });

  const ordered = [...byCommand.entries()]
    .map(([command, examples]) => ({ command, examples, plan: PLANS[command] }))
    .filter((entry): entry is { command: string; examples: Example[]; plan: Plan } => entry.plan !== undefined)
    .sort((a, b) => ('skip' in a.plan ? -1 : a.plan.step) - ('skip' in b.plan ? -1 : b.plan.step));

  for (const { command, examples, plan } of ordered) {
    const uncompared = 'uncompared' in plan ? ` (output not compared: ${plan.uncompared})` : '';
    const title = `${examples.map((example) => example.where).join(', ')}: ${command}${uncompared}`;
    if ('skip' in plan) {
      it(title, { skip: plan.skip }, () => {});
      continue;
    }
    const needsAapl = (/aapl/.test(command) || plan.aapl === true) && AAPL.skip;
    it(title, { skip: needsAapl ? AAPL.skip : false }, async () => {
      const printed =
        plan.step === DEMO_STEP
          ? await (async () => {
              const result = await (demoRun as NonNullable<typeof demoRun>);
              return { code: result.code ?? -1, lines: result.shown.split('\n') };
            })()
          : await run(command, plan);
      // DOCS_EXAMPLES_DUMP=1: every output whole on stderr, to write the docs from.
      if (process.env.DOCS_EXAMPLES_DUMP) console.error(`=== ${command}\n${printed.lines.join('\n')}`);
      assert.equal(printed.code, 0, printed.lines.join('\n'));
      if (plan.drained !== undefined) await waitForDrain(cwd, plan.drained);
      for (const example of examples) {
        const compared: number = plan.uncompared ? 0 : example.shown.length;
        assert.deepEqual(
          printed.lines.slice(0, compared).map((line) => normalise(line, days, cwd)),
          example.shown.slice(0, compared).map((line) => normalise(line, DOC_DAYS)),
          `${example.where}: the first ${compared} lines`,
        );
        if (plan.uncompared || example.last.length === 0) continue;
        const ending = printed.lines.join('\n').trimEnd().split('\n');
        assert.deepEqual(
          ending.slice(-example.last.length).map((line) => normalise(line, days, cwd)),
          example.last.map((line) => normalise(line, DOC_DAYS)),
          `${example.where}: the last ${example.last.length} lines`,
        );
      }
    });
  }
});

/**
 * The README's troubleshooting entries that name a message (`**`error: …`**`) and can be caused
 * offline: the command that causes each, run in an empty folder with no AWS configuration (HOME
 * and the AWS config files point into it, only PATH of the environment kept) and the instance
 * metadata service switched off, so that nothing reaches the network. The others need AWS, or
 * another Node.
 */
const TROUBLES: Record<string, { argv: string[] } | { skip: string }> = {
  'error: No usable AWS credentials …': { argv: ['status', '--region', 'eu-west-1'] },
  'error: No AWS region configured …': { argv: ['status'] },
  "error: the AWS profile '…' does not exist …": { argv: ['status', '--profile', 'nosuch', '--region', 'eu-west-1'] },
  'setup failed — … cannot be assumed by Lambda': { skip: 'AWS IAM' },
  'cleanup incomplete — …': { skip: 'AWS' },
  'error: --name: invalid pipeline name …': { argv: ['setup', '--target', 'local', '--name', 'Bad_Name'] },
  'S3 is still releasing the bucket name …': { skip: 'AWS S3' },
  'AWS denied the request: … not authorized to perform: <action> …': { skip: 'AWS IAM' },
  'no permission to read the bucket …': { skip: 'AWS S3' },
  'stockpipe needs Node.js 22 or newer': { skip: 'needs an older Node' },
  "stockpipe's tests need Node.js 22.18 or newer": { skip: 'needs an older Node' },
  'error: there is no pipeline <name> in the local target here': {
    argv: ['query', 'latest', '--target', 'local', '--name', '<name>'],
  },
  'error: nothing exists in the local target here yet': {
    argv: ['stream', '--source', 'synthetic', '--symbol', 'AAPL', '--count', '1', '--target', 'local'],
  },
  'error: … does not exist in the local target': { skip: 'said only by a part that needs AWS, reached by no command' },
};

describe('the README’s troubleshooting messages are what the commands print', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const troubleshooting = readme.slice(readme.indexOf('## Troubleshooting'));
  const messages = [...troubleshooting.matchAll(/\*\*`([^`]+)`\*\*/g)].map((match) => match[1] as string);
  const { cwd, dispose } = freshWorkdir('docs-troubles');
  after(dispose);

  it('knows every message of the troubleshooting section', () => {
    assert.ok(messages.length >= 10, `${messages.length} messages`);
    assert.deepEqual(
      messages.filter((message) => TROUBLES[message] === undefined),
      [],
    );
  });

  for (const message of messages) {
    const trouble = TROUBLES[message];
    if (trouble === undefined) continue;
    if ('skip' in trouble) {
      it(message, { skip: trouble.skip }, () => {});
      continue;
    }
    it(message, async () => {
      const argv = trouble.argv.map((word) => (word === '<name>' ? 'nosuch' : word));
      const none = join(cwd, 'none');
      const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'stockpipe.js'), ...argv], {
        cwd,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: cwd,
          AWS_CONFIG_FILE: none,
          AWS_SHARED_CREDENTIALS_FILE: none,
          AWS_EC2_METADATA_DISABLED: 'true',
          NO_COLOR: '1',
        },
      });
      assert.notEqual(result.status, 0, result.stderr);
      // The message's words in order, `…` standing for what varies.
      const line = result.stderr.split('\n')[0] ?? '';
      const parts = message
        .replace('<name>', 'nosuch')
        .split('…')
        .map((part) => part.trim());
      assert.ok(line.startsWith(parts[0] as string), `${line}\n  starts with ${parts[0]}`);
      let from = 0;
      for (const part of parts) {
        const at = line.indexOf(part, from);
        assert.ok(at >= 0, `${line}\n  has ${part}`);
        from = at + part.length;
      }
    });
  }
});
