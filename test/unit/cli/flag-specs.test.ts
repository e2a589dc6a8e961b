/**
 * The checks every command's flags get from their specs (src/commands/flags.ts), in the words the
 * commands used before they were declared there, and the types inferred from the specs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GLOBAL_FLAGS, GLOBAL_OPTIONS, type GlobalFlags } from '../../../src/commands/command.ts';
import { checkFlags, type FlagSpec, type FlagsOf, keyOf, longOf, takesValue } from '../../../src/commands/flags.ts';
import { UsageError } from '../../../src/errors.ts';
import { runCli } from '../../helpers/cli.ts';

// No endpoint, no credentials: any network call would fail with exit 1, never 2.
const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };

describe('flags checked by their specs: exit 2 with one line, before any network call', () => {
  for (const [argv, message] of [
    [['redrive'], 'missing --from: say --from failed or --from quarantine'],
    [['watch'], 'watch needs at least one --symbol, e.g. --symbol AAPL'],
    [['backtest', '--symbol', 'AAPL'], 'backtest needs --file <csv|ndjson> (e.g. --file aapl-daily.csv --symbol AAPL)'],
    [['backtest', '--file', ' '], 'backtest needs --file <csv|ndjson> (e.g. --file aapl-daily.csv --symbol AAPL)'],
    [['tail', '--format', 'pretty'], "invalid --format 'pretty': use short, detailed, json"],
    [['query', 'latest', '--format', 'xml'], "invalid --format 'xml': use table, csv, json"],
    [['query', 'top-movers', '--limit', '0'], "invalid --limit '0': use a whole number ≥ 1"],
    [['query', 'top-movers', '--limit', '1.5'], "invalid --limit '1.5': use a whole number ≥ 1"],
    [['alerts', '--limit', 'x'], "invalid --limit 'x': use a whole number ≥ 1"],
    [['stream', '--symbol', 'A', '--count', '0'], "invalid --count '0': use a whole number ≥ 1"],
    [['watch', '--symbol', 'AAPL', '--points', '501'], "invalid --points '501': use a whole number from 1 to 500"],
    [['watch', '--symbol', 'AAPL', '--short', 'x'], "invalid --short 'x': use a whole number from 1 to 200"],
    [['watch', '--symbol', 'AAPL', '--long', '0'], "invalid --long '0': use a whole number from 1 to 200"],
  ] as const) {
    it(argv.join(' '), async () => {
      const { code, stdout, stderr } = await runCli([...argv], { env });
      assert.equal(code, 2, stderr);
      assert.equal(stdout, '');
      assert.equal(stderr, `error: ${message}\n`);
    });
  }

  it('--help is shown whatever the flags beside it: they are checked only when the command runs', async () => {
    const { code, stdout } = await runCli(['watch', '--points', 'x', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: stockpipe watch/);
  });
});

describe('checkFlags', () => {
  const specs = [
    { syntax: '--from <where>', description: '', required: 'say where' },
    { syntax: '-n, --points <n>', description: '', whole: { min: 1, max: 10 } },
    { syntax: '--format <format>', description: '', choices: ['a', 'b'] },
    { syntax: '--symbol <symbol>', description: '', repeatable: true },
    { syntax: '--dry-run', description: '' },
  ] as const satisfies readonly FlagSpec[];

  it('hands whole numbers over as numbers and everything else as given', () => {
    assert.deepEqual(checkFlags(specs, { from: 'x', points: ' 7', format: 'b', symbol: ['A'], dryRun: true }), {
      from: 'x',
      points: 7,
      format: 'b',
      symbol: ['A'],
      dryRun: true,
    });
  });

  it('says a missing required flag first, in its own words', () => {
    assert.throws(() => checkFlags(specs, { points: 'x' }), new UsageError('say where'));
  });

  it('refuses an unsafe or out-of-range whole number and a value outside the choices', () => {
    assert.throws(() => checkFlags(specs, { from: 'x', points: '11' }), /from 1 to 10/);
    assert.throws(() => checkFlags(specs, { from: 'x', points: '9007199254740993' }), /whole number/);
    assert.throws(() => checkFlags(specs, { from: 'x', format: 'A' }), /invalid --format 'A': use a, b$/);
  });

  it('infers the flags type from the specs', () => {
    const flags: FlagsOf<typeof specs> = { from: 'x', points: 3, format: 'a', symbol: ['A'], dryRun: true };
    // @ts-expect-error: a required flag cannot be left out
    const missing: FlagsOf<typeof specs> = {};
    // @ts-expect-error: a value outside the choices is not of the type
    const outside: FlagsOf<typeof specs> = { from: 'x', format: 'c' };
    assert.ok(flags && missing && outside);
  });
});

describe('the global options, declared once', () => {
  it('name the keys commands ignore, the flags that take a value and the long flags the docs list', () => {
    assert.deepEqual(GLOBAL_OPTIONS, [
      'name',
      'region',
      'profile',
      'target',
      'config',
      'json',
      'yes',
      'color',
      'verbose',
    ]);
    assert.deepEqual(GLOBAL_FLAGS.filter(takesValue).map(longOf), [
      '--name',
      '--region',
      '--profile',
      '--target',
      '--config',
    ]);
    assert.equal(keyOf({ syntax: '--no-color' }), 'color');
    const flags: GlobalFlags = { name: 'x', color: false, yes: true };
    assert.ok(flags);
  });
});
