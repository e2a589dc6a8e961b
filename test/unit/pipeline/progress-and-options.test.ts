import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { parseSetupFlags } from '../../../src/commands/setup/options.ts';
import { UsageError } from '../../../src/errors.ts';
import type { ProgressEvent, ResourceRef } from '../../../src/pipeline/events.ts';
import { createCaptureIO, createIO } from '../../../src/ui/io.ts';
import { createProgressRenderer } from '../../../src/ui/progress.ts';

const stream: ResourceRef = { id: 'stream', kind: 'Kinesis stream', name: 'demo-stream' };
const fn: ResourceRef = { id: 'ingest-function', kind: 'Lambda function', name: 'demo-ingest' };
const events: ProgressEvent[] = [
  { type: 'begin', operation: 'setup', resources: [stream, fn] },
  { type: 'resource', resource: stream, state: 'running' },
  { type: 'resource', resource: stream, state: 'created', elapsedMs: 1500, arn: 'arn:aws:kinesis:x' },
  { type: 'resource', resource: fn, state: 'running' },
  { type: 'resource', resource: fn, state: 'failed', detail: 'AccessDenied', elapsedMs: 200 },
  { type: 'end', operation: 'setup' },
];

describe('progress renderers', () => {
  it('plain: one line per finished resource on stderr, nothing on stdout', async () => {
    const capture = createCaptureIO();
    const renderer = await createProgressRenderer(capture.io);
    for (const event of events) renderer.emit(event);
    renderer.stop();
    const lines = capture.stderr().trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /created\s+Kinesis stream\s+demo-stream 1\.5s/);
    assert.match(lines[1] ?? '', /failed\s+Lambda function\s+demo-ingest 0\.2s \(AccessDenied\)/);
    assert.equal(capture.stdout(), '');
  });

  it('--json: silent (the command prints one document)', async () => {
    const capture = createCaptureIO({ json: true, tty: true });
    const renderer = await createProgressRenderer(capture.io);
    for (const event of events) renderer.emit(event);
    assert.equal(capture.stderr(), '');
    assert.equal(capture.stdout(), '');
  });

  it('TTY: a live spinner list, and the finished lines persist', async () => {
    // A writable that behaves like a terminal (ora moves the cursor).
    const written: string[] = [];
    const terminal = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          written.push(chunk.toString('utf8'));
          done();
        },
      }),
      { isTTY: true, columns: 100, cursorTo: () => true, moveCursor: () => true, clearLine: () => true },
    );
    const io = createIO(
      {
        stdout: new PassThrough(),
        stderr: terminal,
        stdin: Object.assign(new PassThrough(), { isTTY: true }),
        env: {},
      },
      { json: false, verbose: false, yes: false, color: false },
    );
    assert.equal(io.isInteractive, true);
    const renderer = await createProgressRenderer(io);
    for (const event of events) renderer.emit(event);
    renderer.stop();
    const output = written.join('');
    assert.match(output, /setup \d\/2/);
    assert.match(output, /created\s+Kinesis stream\s+demo-stream/);
    assert.match(output, /failed\s+Lambda function\s+demo-ingest/);
  });
});

describe('setup options', () => {
  it('defaults: crossover 5/20, English, 14-day logs, no e-mail', () => {
    const { spec, dryRun } = parseSetupFlags({});
    assert.deepEqual(spec.strategy, { name: 'crossover', short: 5, long: 20 });
    assert.equal(spec.language, 'en');
    assert.equal(spec.logRetentionDays, 14);
    assert.deepEqual(spec.emails, []);
    assert.equal(dryRun, false);
  });

  it('threshold parameters, languages, repeated e-mails (deduplicated)', () => {
    const { spec } = parseSetupFlags({
      strategy: 'threshold',
      threshPct: '2',
      lookback: '10',
      alertLang: 'pl',
      email: ['a@example.com', 'b@example.com', 'a@example.com'],
      logRetention: '30',
    });
    assert.deepEqual(spec.strategy, {
      name: 'threshold',
      threshPct: 2,
      lookback: 10,
      smaWindow: 20,
      minPoints: 20,
      epsPct: 0.2,
    });
    assert.equal(spec.language, 'pl');
    assert.deepEqual(spec.emails, ['a@example.com', 'b@example.com']);
    assert.equal(spec.logRetentionDays, 30);
  });

  for (const [flags, message] of [
    [{ email: ['nope'] }, /invalid --email 'nope'/],
    [{ strategy: 'magic' }, /invalid --strategy 'magic'/],
    [{ alertLang: 'fr' }, /invalid --alert-lang 'fr'/],
    [{ logRetention: '8' }, /invalid --log-retention '8'/],
    [{ smaShort: '20', smaLong: '5' }, /short SMA window/],
    [{ smaShort: 'x' }, /--sma-short must be a number/],
    [{ strategy: 'crossover', threshPct: '2' }, /--thresh-pct does not apply to --strategy crossover/],
  ] as const) {
    it(`rejects ${JSON.stringify(flags)} as bad usage`, () => {
      assert.throws(
        () => parseSetupFlags(flags as never),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});
