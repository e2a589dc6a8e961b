import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import type { StockEvent } from '../../../src/core/event.ts';
import { StockpipeError } from '../../../src/errors.ts';
import {
  type BatchResult,
  KinesisBatcher,
  MAX_BYTES_PER_CALL,
  MAX_RECORDS_PER_CALL,
} from '../../../src/producer/batcher.ts';
import { NO_DETAILS, stockEvent } from '../../helpers/lambda-events.ts';
import { waitFor } from '../../helpers/wait.ts';

function event(i: number, symbol = `S${i % 7}`): StockEvent {
  return stockEvent({
    ...NO_DETAILS,
    event_id: `id-${i}`,
    symbol,
    timestamp: new Date(1_700_000_000_000 + i).toISOString(),
    price: 100 + i,
  });
}

type Records = { Data: Uint8Array; PartitionKey: string }[];

/** A fake Kinesis: `answer` decides each entry's fate; every call is recorded. */
function fakeKinesis(answer: (record: StockEvent, call: number) => string | undefined | Error = () => undefined) {
  const calls: Records[] = [];
  const accepted: StockEvent[] = [];
  const client = {
    async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
      const records = command.input.Records as Records;
      calls.push(records);
      const decoded = records.map((r) => JSON.parse(Buffer.from(r.Data).toString('utf8')) as StockEvent);
      const fates = decoded.map((e) => answer(e, calls.length));
      const thrown = fates.find((fate) => fate instanceof Error);
      if (thrown) throw thrown;
      decoded.forEach((e, i) => {
        if (!fates[i]) accepted.push(e);
      });
      return {
        $metadata: {},
        FailedRecordCount: fates.filter(Boolean).length,
        Records: fates.map((code) =>
          code ? { ErrorCode: code as string, ErrorMessage: 'no' } : { ShardId: 's', SequenceNumber: '1' },
        ),
      };
    },
  };
  return { client, calls, accepted };
}

const fast = { baseBackoffMs: 1, maxBackoffMs: 2 };

describe('KinesisBatcher', () => {
  it('uses the PutRecords limits: 500 records and 5 MiB per call', () => {
    assert.equal(MAX_RECORDS_PER_CALL, 500);
    assert.equal(MAX_BYTES_PER_CALL, 5 * 1024 * 1024);
  });

  // One lane (concurrency 1): every symbol shares one buffer, so the calls' sizes are exact.
  it('never puts more than 500 records in a call, and keys records by symbol', async () => {
    const kinesis = fakeKinesis();
    const batcher = new KinesisBatcher({ client: kinesis.client, streamName: 's', concurrency: 1, ...fast });
    for (let i = 0; i < 1234; i++) await batcher.add(event(i));
    await batcher.flush();
    assert.deepEqual(
      kinesis.calls.map((call) => call.length),
      [500, 500, 234],
    );
    for (const call of kinesis.calls) {
      for (const record of call) {
        const sent = JSON.parse(Buffer.from(record.Data).toString('utf8')) as StockEvent;
        assert.equal(record.PartitionKey, sent.symbol);
      }
    }
    assert.deepEqual(batcher.stats(), { sent: 1234, failed: 0, retried: 0 });
  });

  it('cuts a call before it would exceed the byte limit (partition keys included)', async () => {
    const kinesis = fakeKinesis();
    const size = Buffer.byteLength(JSON.stringify(event(0))) + 2;
    const batcher = new KinesisBatcher({ client: kinesis.client, streamName: 's', maxBytes: size * 3 + 1, ...fast });
    for (let i = 0; i < 7; i++) await batcher.add(event(0, 'S0'));
    await batcher.flush();
    assert.deepEqual(
      kinesis.calls.map((call) => call.length),
      [3, 3, 1],
    );
    for (const call of kinesis.calls) {
      const bytes = call.reduce((sum, r) => sum + r.Data.byteLength + Buffer.byteLength(r.PartitionKey), 0);
      assert.ok(bytes <= size * 3 + 1);
    }
  });

  it('resends only the failed entries until they are accepted', async () => {
    const refusedOnce = new Set<string>();
    const kinesis = fakeKinesis((e) => {
      if (Number(e.event_id.slice(3)) % 3 === 0 && !refusedOnce.has(e.event_id)) {
        refusedOnce.add(e.event_id);
        return 'ProvisionedThroughputExceededException';
      }
      return undefined;
    });
    const results: BatchResult[] = [];
    const batcher = new KinesisBatcher({
      client: kinesis.client,
      streamName: 's',
      concurrency: 1,
      onBatch: (r) => results.push(r),
      ...fast,
    });
    for (let i = 0; i < 30; i++) await batcher.add(event(i));
    await batcher.flush();
    assert.deepEqual(
      kinesis.calls.map((call) => call.length),
      [30, 10],
    );
    assert.deepEqual(batcher.stats(), { sent: 30, failed: 0, retried: 10 });
    assert.equal(kinesis.accepted.length, 30);
    assert.equal(new Set(kinesis.accepted.map((e) => e.event_id)).size, 30);
    assert.deepEqual(results, [{ records: 30, sent: 30, failed: [], retried: 10, calls: 2 }]);
  });

  it('gives up after the retry bound and reports what failed', async () => {
    const kinesis = fakeKinesis((e) => (e.event_id === 'id-1' ? 'InternalFailure' : undefined));
    const results: BatchResult[] = [];
    const batcher = new KinesisBatcher({
      client: kinesis.client,
      streamName: 's',
      maxRetries: 3,
      concurrency: 1,
      onBatch: (r) => results.push(r),
      ...fast,
    });
    for (let i = 0; i < 3; i++) await batcher.add(event(i));
    await batcher.flush();
    assert.equal(kinesis.calls.length, 4);
    assert.deepEqual(batcher.stats(), { sent: 2, failed: 1, retried: 3 });
    assert.deepEqual(results[0]?.failed, [{ event_id: 'id-1', symbol: 'S1', error_code: 'InternalFailure' }]);
  });

  it('retries a whole call that failed transiently (throttled, 5xx, network)', async () => {
    let calls = 0;
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ProvisionedThroughputExceededException',
      $metadata: { httpStatusCode: 400 },
    });
    const kinesis = fakeKinesis(() => (++calls <= 2 ? throttled : undefined));
    const batcher = new KinesisBatcher({ client: kinesis.client, streamName: 's', ...fast });
    await batcher.add(event(1));
    await batcher.flush();
    assert.deepEqual(batcher.stats(), { sent: 1, failed: 0, retried: 2 });
  });

  it('stops with "run stockpipe setup first" when the stream does not exist', async () => {
    const missing = Object.assign(new Error('Stream x not found'), {
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    const kinesis = fakeKinesis(() => missing);
    const batcher = new KinesisBatcher({ client: kinesis.client, streamName: 'demo-stream', ...fast });
    await batcher.add(event(1));
    await assert.rejects(batcher.flush(), (error: unknown) => {
      assert.ok(error instanceof StockpipeError);
      assert.match(error.message, /demo-stream does not exist: run `stockpipe setup` first/);
      return true;
    });
    assert.equal(kinesis.calls.length, 1);
  });

  it('sends a partial batch after the linger time without a flush', async () => {
    const kinesis = fakeKinesis();
    const batcher = new KinesisBatcher({ client: kinesis.client, streamName: 's', lingerMs: 5, ...fast });
    await batcher.add(event(1));
    await waitFor(() => kinesis.calls.length === 1, 'the linger timer to send the partial batch');
    await batcher.flush();
    assert.equal(kinesis.calls.length, 1);
  });

  it('sends one symbol’s events in order, while symbols go in parallel (a lane per symbol)', async () => {
    // Calls take varying times: without lanes a later call could land before an earlier one.
    const delays = [30, 1, 15, 2, 25, 5, 10, 3];
    let call = 0;
    let inFlight = 0;
    let peak = 0;
    const landed: StockEvent[] = [];
    const client = {
      async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, delays[call++ % delays.length]));
        const records = command.input.Records ?? [];
        for (const record of records) landed.push(JSON.parse(Buffer.from(record.Data as Uint8Array).toString('utf8')));
        inFlight--;
        return { $metadata: {}, FailedRecordCount: 0, Records: records.map(() => ({})) };
      },
    };
    const batcher = new KinesisBatcher({ client, streamName: 's', concurrency: 4, maxRecords: 5, ...fast });
    for (let i = 0; i < 400; i++) await batcher.add(event(i));
    await batcher.flush();
    assert.equal(landed.length, 400);
    assert.ok(peak > 1, 'symbols went in parallel');
    for (const symbol of new Set(landed.map((e) => e.symbol))) {
      const order = landed.filter((e) => e.symbol === symbol).map((e) => Number(e.event_id.slice(3)));
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        `${symbol} landed in the order it was produced`,
      );
    }
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const client = {
      async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return { $metadata: {}, FailedRecordCount: 0, Records: (command.input.Records ?? []).map(() => ({})) };
      },
    };
    const batcher = new KinesisBatcher({ client, streamName: 's', concurrency: 2, maxRecords: 10, ...fast });
    for (let i = 0; i < 100; i++) await batcher.add(event(i));
    await batcher.flush();
    assert.equal(peak, 2);
    assert.equal(batcher.stats().sent, 100);
  });
});
