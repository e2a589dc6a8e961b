import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { failureFile, localPaths } from '../../../src/local/paths.ts';
import type { InvokeOutcome } from '../../../src/local/runner/delivery.ts';
import { FileFailureDestination } from '../../../src/local/runner/failures.ts';
import type { FunctionInvoker } from '../../../src/local/runner/invoker.ts';
import { KinesisRunner } from '../../../src/local/runner/kinesis-runner.ts';
import { mappingConfig } from '../../../src/local/runner/mapping.ts';
import { type Emulators, startEmulators } from '../../helpers/emulators.ts';
import { waitFor } from '../../helpers/wait.ts';
import { createActiveStream } from './fixtures.ts';

const FAST = { batchingWindowMs: 50, idlePollMs: 20, retryBaseDelayMs: 1, maximumRetryAttempts: 2 };

/** A fake function: records every batch it sees, answers with `respond`. */
function fakeFunction(respond: (records: KinesisStreamRecord[], call: number) => InvokeOutcome) {
  const batches: { shard: string; payloads: string[] }[] = [];
  const invoker: FunctionInvoker = {
    functionName: 'fixture-ingest',
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fixture-ingest',
    async invoke(event) {
      const records = (event as KinesisStreamEvent).Records;
      batches.push({
        shard: records[0]?.eventID.split(':')[0] ?? '',
        payloads: records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString('utf8')),
      });
      return respond(records, batches.length);
    },
  };
  return { invoker, batches };
}

describe('local Lambda runner on Kinesis (kinesalite in-process)', () => {
  let emulators: Emulators;
  let kinesis: KinesisClient;
  let cwd: string;
  let streamCount = 0;
  const runners: KinesisRunner[] = [];

  before(async () => {
    emulators = await startEmulators({ kinesis: true });
    kinesis = await emulators.clients().get('kinesis');
    cwd = mkdtempSync(join(tmpdir(), 'stockpipe-runner-'));
  });
  after(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    kinesis.destroy();
    await emulators.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  async function stream(shards: number, payloads: { key: string; data: string }[]): Promise<string> {
    const name = `s${++streamCount}`;
    await createActiveStream(kinesis, name, shards);
    for (let i = 0; i < payloads.length; i += 500) {
      const chunk = payloads.slice(i, i + 500);
      const result = await kinesis.send(
        new PutRecordsCommand({
          StreamName: name,
          Records: chunk.map((p) => ({ PartitionKey: p.key, Data: Buffer.from(p.data) })),
        }),
      );
      assert.equal(result.FailedRecordCount ?? 0, 0);
    }
    return name;
  }

  function run(streamName: string, fn: FunctionInvoker, overrides: Partial<typeof FAST> & { batchSize?: number } = {}) {
    // One function per stream: checkpoints and failure files are per function.
    const invoker: FunctionInvoker = {
      functionName: `${fn.functionName}-${streamName}`,
      functionArn: fn.functionArn,
      invoke: (event) => fn.invoke(event),
    };
    const runner = new KinesisRunner({
      kinesis,
      streamName,
      invoker,
      config: mappingConfig({ ...FAST, ...overrides }),
      paths: localPaths(cwd),
      failureDestination: new FileFailureDestination(failureFile(localPaths(cwd), invoker.functionName)),
    });
    runners.push(runner);
    runner.start();
    return runner;
  }

  it('delivers AWS-shaped Kinesis events in batches of at most the batch size, in order', async () => {
    const payloads = Array.from({ length: 250 }, (_, i) => ({ key: 'AAPL', data: `r${i}` }));
    const name = await stream(1, payloads);
    const { invoker, batches } = fakeFunction(() => ({ ok: true, response: { batchItemFailures: [] } }));
    const runner = run(name, invoker);
    await waitFor(() => runner.counters.recordsSucceeded === 250, 'all records');
    assert.ok(batches.every((batch) => batch.payloads.length <= 100));
    assert.deepEqual(
      batches.flatMap((batch) => batch.payloads),
      payloads.map((p) => p.data),
    );
    assert.ok(batches.length >= 3);
  });

  it('resumes from the first failed record after a partial batch failure', async () => {
    const payloads = Array.from({ length: 10 }, (_, i) => ({ key: 'MSFT', data: `m${i}` }));
    const name = await stream(1, payloads);
    let failedOnce = false;
    const { invoker, batches } = fakeFunction((records) => {
      const fourth = records.find((record) => Buffer.from(record.kinesis.data, 'base64').toString() === 'm4');
      if (fourth && !failedOnce) {
        failedOnce = true;
        return { ok: true, response: { batchItemFailures: [{ itemIdentifier: fourth.kinesis.sequenceNumber }] } };
      }
      return { ok: true, response: {} };
    });
    const runner = run(name, invoker, { batchingWindowMs: 300 });
    await waitFor(() => runner.counters.recordsSucceeded === 10, 'all records');
    const seen = batches.flatMap((batch) => batch.payloads);
    // m0..m3 once, m4 onwards twice: the retry starts at the failed record, not at the batch start.
    for (const data of ['m0', 'm1', 'm2', 'm3']) assert.equal(seen.filter((x) => x === data).length, 1, data);
    assert.equal(seen.filter((x) => x === 'm4').length, 2);
    assert.deepEqual(batches[1]?.payloads[0], 'm4');
    assert.equal(runner.counters.partialFailures, 1);
  });

  it('bisects on a thrown error, bounds the retries and writes an on-failure record for the poison record only', async () => {
    const payloads = Array.from({ length: 8 }, (_, i) => ({ key: 'IBM', data: i === 5 ? 'poison' : `i${i}` }));
    const name = await stream(1, payloads);
    const processed: string[] = [];
    const { invoker } = fakeFunction((records) => {
      const data = records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString());
      if (data.includes('poison')) return { ok: false, error: { errorType: 'Error', errorMessage: 'bad record' } };
      processed.push(...data);
      return { ok: true, response: null };
    });
    const runner = run(name, invoker, { batchingWindowMs: 300 });
    await waitFor(
      () => runner.counters.recordsToFailure === 1 && runner.counters.recordsSucceeded === 7,
      'poison handled',
    );
    assert.deepEqual(processed, ['i0', 'i1', 'i2', 'i3', 'i4', 'i6', 'i7']);
    assert.ok(runner.counters.bisections >= 1);
    const lines = readFileSync(failureFile(localPaths(cwd), `fixture-ingest-${name}`), 'utf8')
      .trim()
      .split('\n');
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0] as string);
    assert.equal(record.requestContext.condition, 'RetryAttemptsExhausted');
    assert.equal(record.requestContext.approximateInvokeCount, 3);
    assert.equal(record.responseContext.functionError, 'Unhandled');
    assert.equal(record.KinesisBatchInfo.batchSize, 1);
    assert.equal(record.KinesisBatchInfo.startSequenceNumber, record.KinesisBatchInfo.endSequenceNumber);
    assert.match(record.KinesisBatchInfo.streamArn, new RegExp(`stream/${name}$`));
  });

  it('keeps order within every shard, with one batch in flight per shard, and retries in place', async () => {
    const symbols = ['A', 'B', 'C', 'D', 'E', 'F'];
    const payloads = Array.from({ length: 300 }, (_, i) => {
      const key = symbols[i % symbols.length] as string;
      return { key, data: `${key}:${i}` };
    });
    const name = await stream(3, payloads);
    let calls = 0;
    let inFlight = new Map<string, number>();
    let overlap = false;
    const { invoker, batches } = fakeFunction(() => ({ ok: true, response: null }));
    const wrapped: FunctionInvoker = {
      ...invoker,
      async invoke(event) {
        const shard = (event as KinesisStreamEvent).Records[0]?.eventID.split(':')[0] ?? '';
        if (inFlight.get(shard)) overlap = true;
        inFlight.set(shard, 1);
        await sleep(5);
        calls += 1;
        // Every third call throws: bisect and retry must not reorder anything.
        const outcome =
          calls % 3 === 0
            ? ({ ok: false, error: { errorType: 'Error', errorMessage: 'flaky' } } as const)
            : await invoker.invoke(event);
        inFlight.set(shard, 0);
        return outcome;
      },
    };
    inFlight = new Map();
    const runner = run(name, wrapped, { batchSize: 20, maximumRetryAttempts: 10 });
    await waitFor(() => runner.counters.recordsSucceeded === 300, 'all records');
    assert.equal(overlap, false, 'one batch in flight per shard');
    assert.equal(runner.shardCount, 3);
    for (const symbol of symbols) {
      const seen = batches.flatMap((batch) => batch.payloads).filter((data) => data.startsWith(`${symbol}:`));
      const order = seen.map((data) => Number(data.split(':')[1]));
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        `order of ${symbol}`,
      );
      assert.equal(new Set(order).size, 50, `every ${symbol} record`);
    }
    assert.equal(runner.counters.recordsToFailure, 0);
  });

  it('persists checkpoints: a new runner on the same stream does not reprocess', async () => {
    const payloads = Array.from({ length: 30 }, (_, i) => ({ key: 'K', data: `c${i}` }));
    const name = await stream(1, payloads);
    const first = fakeFunction(() => ({ ok: true, response: null }));
    const runner = run(name, first.invoker);
    await waitFor(() => runner.counters.recordsSucceeded === 30, 'first pass');
    await runner.stop();
    await kinesis.send(
      new PutRecordsCommand({ StreamName: name, Records: [{ PartitionKey: 'K', Data: Buffer.from('later') }] }),
    );
    const second = fakeFunction(() => ({ ok: true, response: null }));
    const again = run(name, second.invoker);
    await waitFor(() => again.counters.recordsSucceeded === 1, 'the new record');
    await sleep(200);
    assert.deepEqual(
      second.batches.flatMap((batch) => batch.payloads),
      ['later'],
    );
  });
});
