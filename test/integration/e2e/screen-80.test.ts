/**
 * Issue 30 on the local pipeline: `query latest` and `watch` agree on a symbol's change (both
 * against previous_close), `watch --from` charts the lake's history through the query layer, and
 * at an 80×24 terminal (script(1)) the tables of query's named queries and alerts print no line
 * wider than 80 and show every time to the second.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { BIN, freshWorkdir, runBinOk, waitForDrain } from './harness.ts';

const shellQuote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/** The CLI on an 80×24 pseudo-terminal: what the screen shows (stdout; stderr to a file). */
function atTerminal(args: string[], cwd: string): { code: number | null; screen: string } {
  const command = `stty rows 24 cols 80 && ${[process.execPath, BIN, ...args].map(shellQuote).join(' ')} 2>stderr.log`;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TERM: 'xterm' };
  delete env.NODE_TEST_CONTEXT;
  delete env.CI; // a person's terminal
  const run = spawnSync('script', ['-qefc', command, '/dev/null'], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, screen: run.stdout.replaceAll('\r\n', '\n') };
}

const hasScript = spawnSync('script', ['--version']).status === 0;
const RECORDS = 60;

describe('what the local pipeline shows at 80 columns (issue 30)', () => {
  const { cwd, dispose } = freshWorkdir('screen-80');
  const local = (...argv: string[]) => runBinOk([...argv, '--target', 'local'], cwd);

  before(async () => {
    await local('setup', '--yes');
    // Two symbols, fast: rows share seconds, so times need their milliseconds to tell them apart.
    await local(
      'stream',
      '--source',
      'synthetic',
      '--symbol',
      'AAPL',
      '--symbol',
      'MSFT',
      '--count',
      String(RECORDS),
      '--interval',
      '20ms',
      '--seed',
      '7',
    );
    await waitForDrain(cwd, RECORDS);
  });
  after(async () => {
    await runBinOk(['cleanup', '--target', 'local', '--yes'], cwd).catch(() => undefined);
    await dispose();
  });

  it('query latest and watch show the same change for a symbol', async () => {
    const latest = JSON.parse((await local('query', 'latest', '--format', 'json')).stdout) as {
      symbol: string;
      timestamp: string;
      change: number;
      change_percent: number;
    }[];
    const aapl = latest.find((row) => row.symbol === 'AAPL');
    assert.ok(aapl && typeof aapl.change === 'number', JSON.stringify(latest));
    const watch = JSON.parse((await local('watch', '--symbol', 'AAPL', '--json')).stdout) as {
      symbols: { change: number; change_percent: number; points: { timestamp: string }[] }[];
    };
    const [shown] = watch.symbols;
    assert.equal(shown?.points.at(-1)?.timestamp, aapl.timestamp);
    assert.equal(shown?.change, aapl.change);
    assert.equal(shown?.change_percent, aapl.change_percent);

    // --from: the lake's history through the named history query, the same change in the header.
    const day = aapl.timestamp.slice(0, 10);
    const history = await local('watch', '--symbol', 'AAPL', '--from', day);
    const header = history.stdout.split('\n')[0] ?? '';
    const sign = (value: number) => `${value > 0 ? '+' : value < 0 ? '-' : '±'}${Math.abs(value).toFixed(2)}`;
    assert.ok(
      header.includes(`${sign(aapl.change)} (${sign(aapl.change_percent)}%)`),
      `${header} vs ${JSON.stringify(aapl)}`,
    );
    assert.match(header, new RegExp(`  ${RECORDS / 2} points$`));
  });

  it('at 80×24: no line wider than 80, every time to the second', {
    skip: !hasScript && 'util-linux script is missing',
  }, async () => {
    for (const args of [
      ['query', 'latest'],
      ['query', 'history', '--symbol', 'AAPL', '--limit', '5'],
      ['query', 'top-movers'],
      ['alerts', '--since', '30d'],
    ]) {
      const { code, screen } = atTerminal([...args, '--target', 'local'], cwd);
      assert.equal(code, 0, `${args.join(' ')}: ${screen}`);
      const lines = screen.trimEnd().split('\n');
      for (const line of lines) assert.ok(line.length <= 80, `${args.join(' ')}: ${line.length}: ${line}`);
      if (args[0] === 'alerts' && lines.length <= 1) continue; // no alert on so short a stream
      // The date once above the table; each time cell to the second at least, none cut.
      assert.match(lines[0] ?? '', /^\d{4}-\d\d-\d\d \(times UTC\)$/, `${args.join(' ')}:\n${screen}`);
      const times = lines
        .filter((line) => line.startsWith('│'))
        .flatMap((line) => line.match(/ \d\d:\d\d:\d\d(\.\d+)? /g) ?? []);
      assert.ok(times.length > 0, `${args.join(' ')}:\n${screen}`);
      assert.doesNotMatch(screen, /\d\d:\d\d…|T\d\d:/, `${args.join(' ')}: a time cut`);
    }
    // Five rows streamed 20 ms apart: milliseconds tell them apart.
    const history = atTerminal(['query', 'history', '--symbol', 'AAPL', '--limit', '5', '--target', 'local'], cwd);
    assert.equal((history.screen.match(/│ \d\d:\d\d:\d\d\.\d{3} /g) ?? []).length, 5, history.screen);

    // watch --from draws one snapshot at the terminal: two symbols, every line within the window.
    const [row] = JSON.parse((await local('query', 'latest', '--format', 'json')).stdout) as { timestamp: string }[];
    const day = row?.timestamp.slice(0, 10) ?? '';
    const watch = atTerminal(
      ['watch', '--symbol', 'AAPL,MSFT', '--points', '300', '--from', day, '--target', 'local'],
      cwd,
    );
    assert.equal(watch.code, 0, watch.screen);
    for (const line of watch.screen.trimEnd().split('\n')) assert.ok(line.length <= 80, `${line.length}: ${line}`);
    assert.match(watch.screen, /^AAPL {2}/m);
    assert.match(watch.screen, /^MSFT {2}/m);
    assert.match(watch.screen, /\d\d:\d\d:\d\d\n/, 'a time axis');
  });
});
