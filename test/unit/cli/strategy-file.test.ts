/**
 * --strategy <file>: a user's strategy is bundled once, run by backtest, refused with one line
 * (exit 2) before anything else when it is not a strategy, and packed deterministically beside the
 * trends handler.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { STRATEGY_MODULE } from '../../../src/core/strategies/index.ts';
import { deterministicZip } from '../../../src/packaging/deterministic-zip.ts';
import { bundleStrategyFile, trendsZipWithStrategy } from '../../../src/packaging/strategy-bundle.ts';
import { unzip } from '../../../src/packaging/unzip.ts';
import { expectUsageError, runCli } from '../../helpers/cli.ts';

// No endpoint that answers: a refused file must be refused before any AWS call.
const env = {
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'y',
};

const dir = mkdtempSync(join(tmpdir(), 'stockpipe-strategy-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const CLOSES = [10, 9, 8, 7, 6, 7, 9, 12, 14, 13, 11, 8, 6];
const day = (i: number) => new Date(Date.UTC(2016, 0, 4) + i * 86_400_000).toISOString().slice(0, 10);
write(
  'daily.csv',
  `Date,Open,High,Low,Close,Volume\n${CLOSES.map((c, i) => `${day(i)},${c},${c + 1},${c - 1},${c},100`).join('\n')}\n`,
);

// Up after a fall: BUY; down after a rise: SELL. A TypeScript file with a type and a helper import.
write('helper.ts', 'export const direction = (a: number, b: number): number => Math.sign(b - a);\n');
write(
  'turn.ts',
  `import { direction } from './helper.ts';
interface Point { price: number; high?: number | null }
export default {
  name: 'turn',
  history: 2,
  evaluate(points: readonly Point[], i: number) {
    const before = direction(points[i - 2]!.price, points[i - 1]!.price);
    const now = direction(points[i - 1]!.price, points[i]!.price);
    if (before < 0 && now > 0) return { signal: 'BUY' as const, indicators: { high: points[i]!.high ?? 0 } };
    if (before > 0 && now < 0) return 'SELL' as const;
    return undefined;
  },
};
`,
);

describe('backtest --strategy <file>', () => {
  it('runs the file: its name on every alert, its indicators, the file in the JSON', async () => {
    const { code, stdout, stderr } = await runCli(
      ['backtest', '--file', 'daily.csv', '--symbol', 'AAPL', '--strategy', './turn.ts', '--json'],
      { env, cwd: dir },
    );
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.deepEqual(
      result.alerts.map((alert: { timestamp: string; signal: string; strategy: string }) => [
        alert.timestamp.slice(0, 10),
        alert.signal,
        alert.strategy,
      ]),
      [
        [day(5), 'BUY', 'turn'],
        [day(9), 'SELL', 'turn'],
      ],
    );
    assert.deepEqual(result.alerts[0].indicators, { high: 8 });
    assert.equal(result.strategy.name, 'turn');
    assert.equal(result.strategy.file, join(dir, 'turn.ts'));
    assert.match(result.strategy.bundle, /^[0-9a-f]{12}$/);
  });

  it('a point the strategy cannot judge raises nothing, the run goes on, and one line says so', async () => {
    write(
      'flaky.mjs',
      `export default { name: 'flaky', history: 0, evaluate(points, i) {
        if (i === 3) throw new RangeError('no good');
        if (i === 4) return 'HOLD';
        if (i === 5) return { signal: 'BUY', indicators: { x: Number.NaN } };
        return i === 7 ? 'SELL' : undefined;
      } };\n`,
    );
    const { code, stdout, stderr } = await runCli(
      ['backtest', '--file', 'daily.csv', '--symbol', 'AAPL', '--strategy', 'flaky.mjs', '--format', 'csv'],
      { env, cwd: dir },
    );
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim().split('\n').length, 2, 'the header and the one SELL');
    assert.match(
      stderr,
      new RegExp(
        `^strategy flaky could not judge 3 points \\(first: AAPL ${day(3)}T20:00:00\\.000Z: RangeError: no good\\)$`,
        'm',
      ),
    );
  });
});

describe('a bad strategy file exits 2 with one line, before any AWS call', () => {
  const cases: [string, string, RegExp][] = [
    [
      'syntax.mjs',
      'export default { name: "x", history: 1, evaluate( {\n',
      /syntax\.mjs:2:1: Expected identifier but found end of file$/,
    ],
    ['none.mjs', 'export const strategy = {};\n', /none\.mjs: no default export/],
    [
      'history.mjs',
      'export default { name: "x", history: 2.5, evaluate() {} };\n',
      /history 2\.5 must be a whole number ≥ 0$/,
    ],
    [
      'spaces.mjs',
      'export default { name: "my rule", history: 1, evaluate() {} };\n',
      /name 'my rule' must be 1–32 characters/,
    ],
    [
      'builtin.mjs',
      'export default { name: "crossover", history: 1, evaluate() {} };\n',
      /name 'crossover' belongs to a built-in/,
    ],
    ['no-evaluate.mjs', 'export default { name: "x", history: 1 };\n', /evaluate must be a function/],
    [
      'import.mjs',
      'import x from "not-installed-anywhere";\nexport default x;\n',
      /import\.mjs:1:15: Could not resolve "not-installed-anywhere"$/,
    ],
    ['throws.mjs', 'throw new Error("at load");\n', /throws\.mjs: loading it failed: Error: at load$/],
    ['rule.py', 'print(1)\n', /rule\.py: a strategy file ends in \.mjs, \.js, \.ts$/],
  ];
  for (const [name, text, pattern] of cases) {
    write(name, text);
    for (const command of ['backtest', 'setup'] as const) {
      const argv =
        command === 'backtest'
          ? ['backtest', '--file', 'daily.csv', '--symbol', 'AAPL', '--strategy', `./${name}`]
          : ['setup', '--yes', '--strategy', `./${name}`];
      it(`${command} --strategy ./${name}`, () =>
        expectUsageError(
          argv,
          new RegExp(
            `^error: invalid --strategy \\./${name.replace('.', '\\.')}: .*${pattern.source.replace(/\$$/, '\\n$')}`,
          ),
          {
            env,
            cwd: dir,
          },
        ));
    }
  }
  it('a missing file', () =>
    expectUsageError(
      ['setup', '--strategy', './gone.mjs'],
      /^error: invalid --strategy \.\/gone\.mjs: .*gone\.mjs: no such file\n$/,
      {
        env,
        cwd: dir,
      },
    ));
  it('offline too: setup --target local refuses the file before it starts a stack', async () => {
    const local = mkdtempSync(join(tmpdir(), 'stockpipe-strategy-local-'));
    after(() => rmSync(local, { recursive: true, force: true }));
    writeFileSync(join(local, 'five.mjs'), 'export default 5;\n');
    await expectUsageError(
      ['setup', '--target', 'local', '--yes', '--strategy', './five.mjs'],
      /^error: invalid --strategy \.\/five\.mjs: five\.mjs: the default export is 5, not \{ name, history, evaluate\(points, i\) \}\n$/,
      { env, cwd: local },
    );
    assert.deepEqual(readdirSync(local), ['five.mjs'], 'no .stockpipe folder: no stack was started');
  });
  it('parameters of a built-in do not apply to a file', () =>
    expectUsageError(
      ['backtest', '--file', 'daily.csv', '--symbol', 'AAPL', '--strategy', './turn.ts', '--sma-long', '9'],
      /^error: --sma-long does not apply to a strategy file/,
      { env, cwd: dir },
    ));
});

describe('the trends package with a strategy', () => {
  it('same file, same bundle and same zip; an edited file, another', async () => {
    const path = write('same.mjs', 'export default { name: "same", history: 1, evaluate() { return undefined; } };\n');
    const base = await deterministicZip([{ name: 'index.mjs', content: 'export const handler = async () => ({});\n' }]);
    const first = await bundleStrategyFile(path);
    const zip = await trendsZipWithStrategy(base, first);
    // Another folder, another process's cache: the bytes depend on the file alone.
    const elsewhere = mkdtempSync(join(tmpdir(), 'stockpipe-strategy-elsewhere-'));
    after(() => rmSync(elsewhere, { recursive: true, force: true }));
    writeFileSync(
      join(elsewhere, 'same.mjs'),
      'export default { name: "same", history: 1, evaluate() { return undefined; } };\n',
    );
    const again = await trendsZipWithStrategy(base, await bundleStrategyFile(join(elsewhere, 'same.mjs')));
    assert.equal(again.sha256, zip.sha256);
    assert.deepEqual(
      unzip(zip.bytes).map((entry) => entry.name),
      ['index.mjs', STRATEGY_MODULE],
    );
    // Re-packing a package that already carries a strategy replaces it.
    const repacked = await trendsZipWithStrategy(zip.bytes, first);
    assert.equal(repacked.sha256, zip.sha256);
    const edited = join(elsewhere, 'edited.mjs');
    writeFileSync(edited, 'export default { name: "same", history: 2, evaluate() { return undefined; } };\n');
    const editedZip = await trendsZipWithStrategy(base, await bundleStrategyFile(edited));
    assert.notEqual(editedZip.sha256, zip.sha256);
  });
});
