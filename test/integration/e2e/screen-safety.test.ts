/**
 * What a hostile producer can put on a person's screen: records carrying terminal escapes go
 * through the local pipeline, and the bytes `query`, `alerts` and `tail` write to a pseudo-terminal
 * (util-linux `script`) hold no control character — the values show escaped instead.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { bucketNames } from '../../../src/core/names.ts';
import { localAwsClients } from '../../../src/local/clients.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../../src/local/constants.ts';
import { readStackState } from '../../../src/local/state.ts';
import { runCli } from '../../helpers/cli.ts';
import { localObjects } from '../local/fixtures.ts';
import { BIN, freshWorkdir, waitUntil } from './harness.ts';

const STREAM = 'stockpipe-stream';
const BUCKET = bucketNames('stockpipe', LOCAL_ACCOUNT, LOCAL_REGION).raw;

/** The record: ESC/BEL in event_id (a terminal title) and currency (blink). */
const HOSTILE_ID = {
  symbol: 'ESCE',
  timestamp: '2016-01-04T20:00:00.000Z',
  price: 10,
  event_id: '\u001b]0;EVIDPWN\u0007',
  currency: '\u001b[5mUSD',
};
/** A clean id, so it is stored: its free-text fields carry the escapes to the screen. */
const HOSTILE_TEXT = {
  symbol: 'ESCF',
  timestamp: '2016-01-04T20:00:00.000Z',
  price: 11,
  currency: '\u001b[5mUSD',
  market_state: '\u001b]0;PWN\u0007REG\nULAR',
};
/** `ſ` upper-cases to S in Unicode: a look-alike of STOCK, refused. */
const LOOK_ALIKE = { symbol: 'ſtock', timestamp: '2016-01-04T20:00:00.000Z', price: 12 };

const shellQuote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the bytes a terminal would obey
const CONTROL = /[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f]/;

/**
 * The CLI with stdout on a pseudo-terminal of 80×24, as a person sees results. stderr goes to a file:
 * its spinner is ours to draw, and with NO_COLOR every ESC left on stdout would be a producer's.
 */
function atTerminal(args: string[], cwd: string): { code: number | null; screen: string } {
  const command = `stty rows 24 cols 80 && ${[process.execPath, BIN, ...args].map(shellQuote).join(' ')} 2>stderr.log`;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TERM: 'xterm' };
  delete env.NODE_TEST_CONTEXT;
  delete env.CI; // a person's terminal
  const run = spawnSync('script', ['-qefc', command, '/dev/null'], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  // The pty turns \n into \r\n; that is the terminal's, not ours.
  return { code: run.status, screen: run.stdout.replaceAll('\r\n', '\n') };
}

const hasScript = spawnSync('script', ['--version']).status === 0;

describe('hostile text reaches the screen escaped', {
  skip: hasScript ? false : 'util-linux script is missing',
}, () => {
  const { cwd, dispose } = freshWorkdir('screen');
  const local = (...argv: string[]) => runCli([...argv, '--target', 'local'], { cwd });
  let clients: ReturnType<typeof localAwsClients>;

  before(async () => {
    const setup = await local('setup');
    assert.equal(setup.code, 0, setup.stderr);
    const state = readStackState(cwd);
    assert.ok(state);
    clients = localAwsClients(state.endpoints);
    const kinesis = await clients.get('kinesis');
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: STREAM,
        Records: [HOSTILE_ID, HOSTILE_TEXT, LOOK_ALIKE].map((record) => ({
          Data: Buffer.from(JSON.stringify(record)),
          PartitionKey: 'hostile',
        })),
      }),
    );
    const documents = await clients.documentClient();
    const stored = async () =>
      ((await documents.send(new ScanCommand({ TableName: 'stockpipe-quotes' }))).Items ?? []).length;
    // Counted in the bucket, not by status's last-day window: that reads the files' mtimes.
    const quarantined = () => localObjects(cwd, BUCKET, 'quarantine/').size;
    await waitUntil(
      async () => ((await stored()) === 1 && quarantined() === 2) || `${await stored()} stored`,
      'one record stored and two quarantined',
    );
  });
  after(async () => {
    await clients?.destroy();
    await dispose();
  });

  it('the stored record holds the bytes as sent, and the id and look-alike are quarantined', async () => {
    const documents = await clients.documentClient();
    const items = (await documents.send(new ScanCommand({ TableName: 'stockpipe-quotes' }))).Items ?? [];
    assert.deepEqual(
      items.map((item) => [item.symbol, item.currency, item.market_state]),
      [['ESCF', HOSTILE_TEXT.currency, HOSTILE_TEXT.market_state]],
    );
  });

  it('query prints the values escaped at a terminal, and byte-exact as JSON', async () => {
    const sql = "SELECT symbol, currency, market_state FROM stock_data_table WHERE symbol LIKE 'ESC%'";
    const table = atTerminal(['query', 'sql', sql, '--target', 'local'], cwd);
    assert.equal(table.code, 0, table.screen.slice(0, 2000));
    assert.doesNotMatch(table.screen, CONTROL);
    assert.match(table.screen, /\\x1b\[5mUSD/);
    assert.match(table.screen, /\\x1b\]0;PWN\\x07REG\\nULAR/);
    const json = await local('query', 'sql', sql, '--format', 'json');
    assert.deepEqual(JSON.parse(json.stdout), [
      { symbol: 'ESCF', currency: HOSTILE_TEXT.currency, market_state: HOSTILE_TEXT.market_state },
    ]);
  });

  it('alerts and tail write no control character to the terminal', () => {
    for (const args of [
      ['alerts', '--since', '30d', '--target', 'local'],
      ['tail', '--since', '1h', '--target', 'local'],
    ]) {
      const run = atTerminal(args, cwd);
      assert.equal(run.code, 0, run.screen.slice(0, 2000));
      assert.doesNotMatch(run.screen, CONTROL, args[0]);
    }
  });
});
