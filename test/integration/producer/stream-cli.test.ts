/** `stockpipe stream` end to end: in-process CLI runs, and a spawned CLI interrupted with SIGINT. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { AwsClients } from '../../../src/aws/clients.ts';
import { type StockEvent, validateEvent } from '../../../src/core/event.ts';
import { runCli } from '../../helpers/cli.ts';
import { type Emulators, startEmulators } from '../../helpers/emulators.ts';
import { countById, createStream, readAll } from './kinesis-helpers.ts';

const repo = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'stockpipe-stream-cli-'));
const csv = join(dir, 'daily.csv');
writeFileSync(
  csv,
  'date,open,high,low,close,volume\n2016-01-04,102.61,105.37,102.00,105.35,67649400\n2016-01-05,105.75,105.85,102.41,102.71,55791000\n',
);

/** Anything that tries to reach AWS lands here and is counted. */
async function countingEndpoint(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    res.writeHead(500).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

describe('stockpipe stream: bad input exits 2 with one line and sends nothing', () => {
  const cases: [string, string[], RegExp][] = [
    ['empty symbol', ['--symbol', ''], /empty symbol/],
    ['invalid symbol', ['--symbol', 'AA PL!'], /invalid symbol 'AA PL!'/],
    ['no symbol', ['--source', 'synthetic'], /no symbols/],
    ['unparsable interval', ['--symbol', 'AAPL', '--interval', 'soon'], /invalid --interval 'soon'/],
    ['negative interval', ['--symbol', 'AAPL', '--interval', '-5s'], /invalid --interval '-5s'/],
    ['unparsable count', ['--symbol', 'AAPL', '--count', 'ten'], /invalid --count 'ten'/],
    ['negative count', ['--symbol', 'AAPL', '--count', '-3'], /invalid --count '-3'/],
    ['zero count', ['--symbol', 'AAPL', '--count', '0'], /invalid --count '0'/],
    ['unparsable duration', ['--symbol', 'AAPL', '--duration', '10 minutes'], /invalid --duration/],
    ['negative duration', ['--symbol', 'AAPL', '--duration', '-1m'], /invalid --duration '-1m'/],
    ['unknown source', ['--symbol', 'AAPL', '--source', 'bloomberg'], /unknown source 'bloomberg'/],
    ['replay without --file', ['--symbol', 'AAPL', '--source', 'replay'], /needs --file/],
    [
      'replay of a missing file',
      ['--symbol', 'AAPL', '--source', 'replay', '--file', 'nope.csv'],
      /not found: nope\.csv/,
    ],
    ['CSV replay without a symbol', ['--source', 'replay', '--file', csv], /exactly one --symbol/],
    ['bad speed', ['--symbol', 'AAPL', '--source', 'replay', '--file', csv, '--speed', 'fast'], /invalid --speed/],
    ['synthetic flag on yahoo', ['--symbol', 'AAPL', '--seed', '3'], /--seed applies to --source synthetic/],
    ['bad drift', ['--symbol', 'AAPL', '--source', 'synthetic', '--drift', 'sideways'], /invalid --drift/],
    ['missing symbols file', ['--symbols-file', 'nope.txt'], /cannot read --symbols-file/],
  ];
  let endpoint: Awaited<ReturnType<typeof countingEndpoint>>;
  before(async () => {
    endpoint = await countingEndpoint();
  });
  after(() => endpoint.close());

  for (const [name, args, message] of cases) {
    it(name, async () => {
      const env = {
        AWS_ENDPOINT_URL: endpoint.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
      };
      const result = await runCli(['stream', ...args], { env, cwd: dir });
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? '', message);
      assert.equal(endpoint.requests(), 0);
    });
  }
});

describe('stockpipe stream --dry-run', () => {
  it('prints 40 contract-valid synthetic events with no AWS configured at all', async () => {
    const result = await runCli(
      [
        'stream',
        '--source',
        'synthetic',
        '--symbol',
        'AAPL',
        '--symbol',
        'MSFT',
        '--count',
        '40',
        '--interval',
        '0',
        '--dry-run',
      ],
      { env: {} },
    );
    assert.equal(result.code, 0, result.stderr);
    const events = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as StockEvent);
    assert.equal(events.length, 40);
    for (const event of events) assert.ok(validateEvent(event).ok, JSON.stringify(event));
    assert.deepEqual(new Set(events.map((event) => event.symbol)), new Set(['AAPL', 'MSFT']));
    assert.match(result.stderr, /printed 40 .*--count 40 reached/);
  });

  it('replays a daily CSV: one event per row with timestamp, price, previous_close, change and volume', async () => {
    const result = await runCli(
      ['stream', '--source', 'replay', '--file', 'daily.csv', '--symbol', 'aapl', '--dry-run'],
      {
        env: {},
        cwd: dir,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const events = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as StockEvent);
    assert.deepEqual(
      events.map((e) => [e.symbol, e.timestamp, e.price, e.previous_close, e.change, e.change_percent, e.volume]),
      [
        ['AAPL', '2016-01-04T20:00:00.000Z', 105.35, null, null, null, 67_649_400],
        ['AAPL', '2016-01-05T20:00:00.000Z', 102.71, 105.35, -2.64, -2.51, 55_791_000],
      ],
    );
    assert.match(result.stderr, /end of the replay file/);
  });
});

describe('stockpipe stream --dry-run | head', () => {
  it('stops cleanly when stdout closes, even with --interval 0 and no end', async () => {
    const child = spawn(
      process.execPath,
      ['bin/stockpipe.js', 'stream', '--source', 'synthetic', '--symbol', 'AAPL', '--interval', '0', '--dry-run'],
      { cwd: repo, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let stdout = '';
    await new Promise<void>((done) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.split('\n').length > 3) {
          child.stdout.destroy();
          done();
        }
      }),
    );
    const code = await new Promise<number | null>((done) => child.on('close', (exit) => done(exit)));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /^printed \d+ .*\(stdout closed\)\n$/);
  });
});

describe('stockpipe stream into kinesalite', () => {
  let emulators: Emulators;
  let clients: AwsClients;
  let kinesis: KinesisClient;

  before(async () => {
    emulators = await startEmulators({ kinesis: true });
    clients = emulators.clients();
    kinesis = await clients.get('kinesis');
    await createStream(kinesis, 'demo-stream', 2);
  });
  after(async () => {
    await clients.destroy();
    await emulators.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts --count events on <name>-stream and prints NDJSON send results with --json', async () => {
    const result = await runCli(
      [
        'stream',
        '--name',
        'demo',
        '--source',
        'synthetic',
        '--symbol',
        'AAPL',
        '--symbol',
        'MSFT',
        '--count',
        '600',
        '--interval',
        '0',
        '--json',
      ],
      { env: emulators.env },
    );
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const batches = lines.filter((line) => line.type === 'batch');
    assert.equal(
      batches.reduce((sum, batch) => sum + batch.sent, 0),
      600,
    );
    assert.ok(batches.every((batch) => batch.records <= 500 && batch.stream === 'demo-stream'));
    assert.deepEqual(lines.at(-1), { ...lines.at(-1), type: 'summary', sent: 600, failed: 0, stopped: 'count' });
    assert.equal(result.stderr, '');
    const counts = countById(await readAll(kinesis, 'demo-stream'));
    assert.equal(counts.size, 600);
    assert.ok([...counts.values()].every((n) => n === 1));
  });

  it('says to run setup first when the stream does not exist (exit 1, one line)', async () => {
    const result = await runCli(
      ['stream', '--name', 'nostream', '--source', 'synthetic', '--symbol', 'AAPL', '--count', '1'],
      {
        env: emulators.env,
      },
    );
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'error: Kinesis stream nostream-stream does not exist: run `npx stockpipe setup --name nostream` first.\n',
    );
  });

  it('SIGINT mid-run (spawned CLI): stops fetching, flushes, prints the summary, exits 0', async () => {
    await createStream(kinesis, 'sigint-stream', 2);
    const child = spawn(
      process.execPath,
      [
        'bin/stockpipe.js',
        'stream',
        '--name',
        'sigint',
        '--source',
        'synthetic',
        '--symbol',
        'AAPL',
        '--symbol',
        'MSFT',
        '--interval',
        '20ms',
      ],
      { cwd: repo, env: { PATH: process.env.PATH, ...emulators.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    // Non-TTY progress lines come every 10 s; wait for records to reach the stream instead.
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    for (let i = 0; i < 200; i++) {
      const seen = await readAll(kinesis, 'sigint-stream');
      if (seen.length >= 20) break;
      await new Promise((done) => setTimeout(done, 100));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((done) => child.on('close', (exit) => done(exit)));
    assert.equal(code, 0, stderr);
    const summary = /^sent (\d+) · failed 0 · .* \(interrupted\)$/m.exec(stdout);
    assert.ok(summary, `summary missing from: ${stdout} ${stderr}`);
    const records = await readAll(kinesis, 'sigint-stream');
    // Everything fetched was flushed: the summary's count is what the stream holds, once each.
    assert.equal(records.length, Number(summary[1]));
    assert.ok(records.length >= 20);
    assert.ok([...countById(records).values()].every((n) => n === 1));
  });
});
