import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClients } from '../../src/aws/clients.ts';
import { runCli } from '../helpers/cli.ts';
import { type Moto, motoSkipReason, startMoto } from '../helpers/moto.ts';
import { waitFor } from '../helpers/wait.ts';

const INGEST = '/aws/lambda/stockpipe-ingest';
const TRENDS = '/aws/lambda/stockpipe-trends';
const STREAM = '2026/11/22/[$LATEST]abc123';
const bin = fileURLToPath(new URL('../../bin/stockpipe.js', import.meta.url));

/** A Powertools-style JSON log line, as the handlers write them. */
function powertools(level: string, message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    level,
    message,
    sampling_rate: 0,
    service: 'stockpipe',
    timestamp: '2026-11-22T14:30:00.000Z',
    xray_trace_id: '1-abc',
    cold_start: false,
    function_name: 'stockpipe-ingest',
    function_request_id: 'req-1',
    ...extra,
  });
}

interface JsonEvent {
  timestamp: string;
  function: string;
  log_group: string;
  event_id: string;
  level: string | null;
  message: string;
  fields: Record<string, unknown>;
}

const parseLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JsonEvent);

describe('stockpipe tail against moto CloudWatch Logs', { skip: motoSkipReason() }, () => {
  let moto: Moto;
  let clients: AwsClients;
  let t0: number;

  before(async () => {
    moto = await startMoto();
    clients = moto.clients();
  });
  after(async () => {
    await clients.destroy();
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    const logs = await clients.get('logs');
    for (const group of [INGEST, TRENDS]) {
      await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: STREAM }));
    }
    t0 = Date.now() - 5 * 60_000;
  });

  async function put(group: string, events: [offsetMs: number, message: string][], base = t0) {
    const logs = await clients.get('logs');
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: STREAM,
        logEvents: events.map(([offset, message]) => ({ timestamp: base + offset, message })),
      }),
    );
  }

  async function seedBoth() {
    await put(INGEST, [
      [0, powertools('INFO', 'stored batch', { records: 100 })],
      [2000, powertools('WARN', 'quarantined record', { reason: 'bad_symbol' })],
      [4000, powertools('ERROR', 'DynamoDB write failed', { error: { name: 'Error', message: 'boom', stack: 'x' } })],
    ]);
    await put(TRENDS, [
      [1000, powertools('INFO', 'evaluated points', { points: 3 })],
      [3000, powertools('INFO', 'alert published', { symbol: 'AAPL', signal: 'BUY' })],
    ]);
  }

  it('interleaves both log groups in time order, each event once, as NDJSON', async () => {
    await seedBoth();
    const { code, stdout, stderr } = await runCli(['tail', '--format', 'json'], { env: moto.env });
    assert.equal(code, 0, stderr);
    const events = parseLines(stdout);
    assert.deepEqual(
      events.map((event) => [event.function, event.message]),
      [
        ['ingest', 'stored batch'],
        ['trends', 'evaluated points'],
        ['ingest', 'quarantined record'],
        ['trends', 'alert published'],
        ['ingest', 'DynamoDB write failed'],
      ],
    );
    assert.deepEqual(
      events.map((event) => Date.parse(event.timestamp) - t0),
      [0, 1000, 2000, 3000, 4000],
    );
    assert.equal(new Set(events.map((event) => event.event_id)).size, 5);
    assert.deepEqual(events[0]?.fields.records, 100);
    assert.equal(events[4]?.level, 'ERROR');
    assert.equal(events[3]?.log_group, TRENDS);
    // --json is the same stream.
    const viaJson = await runCli(['tail', '--json'], { env: moto.env });
    assert.equal(viaJson.stdout, stdout);
  });

  it('one function only, --since relative or ISO, --filter', async () => {
    await seedBoth();
    await put(INGEST, [[0, powertools('ERROR', 'old failure')]], t0 - 55 * 60_000); // about an hour ago

    const ingest = parseLines((await runCli(['tail', 'ingest', '--json'], { env: moto.env })).stdout);
    assert.deepEqual(
      ingest.map((event) => event.message),
      ['stored batch', 'quarantined record', 'DynamoDB write failed'],
      'default --since 10m leaves the old event out',
    );
    const hour = parseLines((await runCli(['tail', 'ingest', '--since', '2h', '--json'], { env: moto.env })).stdout);
    assert.equal(hour[0]?.message, 'old failure');
    assert.equal(hour.length, 4);
    const iso = new Date(t0 + 2500).toISOString();
    const fromIso = parseLines((await runCli(['tail', '--since', iso, '--json'], { env: moto.env })).stdout);
    assert.deepEqual(
      fromIso.map((event) => event.message),
      ['alert published', 'DynamoDB write failed'],
    );
    const errors = parseLines(
      (await runCli(['tail', '--since', '2h', '--filter', 'ERROR', '--json'], { env: moto.env })).stdout,
    );
    assert.deepEqual(
      errors.map((event) => event.message),
      ['old failure', 'DynamoDB write failed'],
    );
  });

  it('short and detailed formats are readable: level, message, key fields; errors stand out', async () => {
    await seedBoth();
    await put(TRENDS, [[4500, '2026-11-22T14:30:04.500Z req-9 Task timed out after 3.00 seconds']]);
    const short = await runCli(['tail'], { env: moto.env });
    assert.equal(short.code, 0, short.stderr);
    const lines = short.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 6);
    assert.match(lines[0] ?? '', /^\d\d:\d\d:\d\d\.\d{3} ingest INFO {2}stored batch records=100$/);
    assert.match(lines[3] ?? '', /trends INFO {2}alert published symbol=AAPL signal=BUY$/);
    assert.match(lines[4] ?? '', /ingest ERROR DynamoDB write failed error=Error: boom$/);
    assert.match(lines[5] ?? '', /trends TIMEOUT Task timed out after 3\.00 seconds$/);
    assert.ok(!short.stdout.includes('xray_trace_id'), 'Powertools boilerplate hidden in short format');

    const coloured = await runCli(['tail'], { env: { ...moto.env, FORCE_COLOR: '1' } });
    assert.ok(coloured.stdout.includes('\u001b[1m\u001b[31mERROR'), 'errors are bold red');

    const detailed = await runCli(['tail', 'ingest', '--format', 'detailed'], { env: moto.env });
    assert.match(detailed.stdout, new RegExp(`${INGEST.replace(/\//g, '\\/')} .*#\\d+`));
    assert.match(detailed.stdout, /xray_trace_id: 1-abc/);
    assert.match(detailed.stdout, /records: 100/);
  });

  it('waits quietly while a log group does not exist', async () => {
    await put(INGEST, [[0, powertools('INFO', 'stored batch')]]);
    await (await clients.get('logs')).send(new DeleteLogGroupCommand({ logGroupName: TRENDS }));
    const { code, stdout, stderr } = await runCli(['tail', '--json'], { env: moto.env });
    assert.equal(code, 0);
    assert.equal(stderr, '');
    assert.deepEqual(
      parseLines(stdout).map((event) => event.message),
      ['stored batch'],
    );
  });

  it('--follow re-reads its look-back window without repeating events, and --idle-exit ends it', async () => {
    await seedBoth();
    const { code, stdout, stderr } = await runCli(['tail', '--follow', '--idle-exit', '2500ms', '--json'], {
      env: moto.env,
    });
    assert.equal(code, 0, stderr);
    const ids = parseLines(stdout).map((event) => event.event_id);
    assert.equal(ids.length, 5, 'every poll sees the same five events; each is printed once');
    assert.equal(new Set(ids).size, 5);
  });

  it('a spawned tail --follow picks up new events and exits 0 on SIGINT', async () => {
    await put(INGEST, [[0, powertools('INFO', 'first event')]], Date.now() - 1000);
    const child = spawn(process.execPath, [bin, 'tail', '--follow', '--since', '1m', '--json'], {
      env: { PATH: process.env.PATH ?? '', ...moto.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const printed = (text: string) =>
      waitFor(
        () => {
          if (child.exitCode !== null) assert.fail(`exited before printing ${text}: ${stdout} ${stderr}`);
          return stdout.includes(text);
        },
        `tail to print ${text}`,
        { intervalMs: 100 },
      );
    try {
      await printed('first event');
      await put(TRENDS, [[0, powertools('INFO', 'arrived later')]], Date.now());
      await printed('arrived later');
      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
      assert.deepEqual(
        parseLines(stdout).map((event) => event.message),
        ['first event', 'arrived later'],
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
