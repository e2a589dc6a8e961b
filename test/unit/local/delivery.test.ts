import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { newCounters } from '../../../src/local/runner/counters.ts';
import {
  type DeliveryDeps,
  deliverBatch,
  firstFailedIndex,
  type InvokeOutcome,
} from '../../../src/local/runner/delivery.ts';
import { type DEFAULT_MAPPING, mappingConfig } from '../../../src/local/runner/mapping.ts';

interface Rec {
  seq: string;
}
const records = (n: number): Rec[] => Array.from({ length: n }, (_, i) => ({ seq: String(100 + i) }));
const seqOf = (record: Rec) => record.seq;

function harness(invoke: (batch: Rec[]) => InvokeOutcome, overrides: Partial<typeof DEFAULT_MAPPING> = {}) {
  const calls: string[][] = [];
  const failures: { seqs: string[]; count: number; error?: string }[] = [];
  const deps: DeliveryDeps<Rec> = {
    invoke: async (batch) => {
      calls.push(batch.map(seqOf));
      return invoke(batch);
    },
    sequenceOf: seqOf,
    onFailure: async (batch, info) => {
      failures.push({
        seqs: batch.map(seqOf),
        count: info.approximateInvokeCount,
        ...(info.functionError ? { error: info.functionError.errorMessage } : {}),
      });
    },
    config: mappingConfig({ retryBaseDelayMs: 0, ...overrides }),
    counters: newCounters(),
    signal: new AbortController().signal,
  };
  return { deps, calls, failures };
}

const thrown = (message: string): InvokeOutcome => ({
  ok: false,
  error: { errorType: 'Error', errorMessage: message },
});
const fine: InvokeOutcome = { ok: true, response: null };

describe('firstFailedIndex (ReportBatchItemFailures)', () => {
  const batch = records(5);
  it('treats a missing, null or empty list as success', () => {
    for (const response of [null, undefined, {}, { batchItemFailures: [] }, 'text']) {
      assert.equal(firstFailedIndex(response, batch, seqOf), undefined);
    }
  });
  it('resumes from the lowest failed sequence number, whatever the order of the list', () => {
    const response = { batchItemFailures: [{ itemIdentifier: '104' }, { itemIdentifier: '102' }] };
    assert.equal(firstFailedIndex(response, batch, seqOf), 2);
  });
  it('fails the whole batch on an empty or unknown identifier, as Lambda does', () => {
    assert.equal(firstFailedIndex({ batchItemFailures: [{ itemIdentifier: '' }] }, batch, seqOf), 0);
    assert.equal(firstFailedIndex({ batchItemFailures: [{ itemIdentifier: '999' }] }, batch, seqOf), 0);
    assert.equal(firstFailedIndex({ batchItemFailures: [{}] }, batch, seqOf), 0);
  });
});

describe('deliverBatch', () => {
  it('retries from the first reported failure, not the whole batch', async () => {
    let first = true;
    const { deps, calls, failures } = harness(() => {
      if (!first) return fine;
      first = false;
      return { ok: true, response: { batchItemFailures: [{ itemIdentifier: '103' }] } };
    });
    assert.equal(await deliverBatch(records(6), deps), true);
    assert.deepEqual(calls, [
      ['100', '101', '102', '103', '104', '105'],
      ['103', '104', '105'],
    ]);
    assert.deepEqual(failures, []);
    assert.equal(deps.counters.recordsSucceeded, 6);
    assert.equal(deps.counters.partialFailures, 1);
  });

  it('bisects a batch whose invocation throws until the poison record is alone', async () => {
    const { deps, calls, failures } = harness(
      (batch) => (batch.some((r) => r.seq === '105') ? thrown('poison') : fine),
      {
        maximumRetryAttempts: 1,
      },
    );
    assert.equal(await deliverBatch(records(8), deps), true);
    // 8 → [0..3] ok, [4..7] throws → [4,5] throws → [4] ok, [5] throws, retried once, given up → [6,7] ok
    assert.deepEqual(calls, [
      ['100', '101', '102', '103', '104', '105', '106', '107'],
      ['100', '101', '102', '103'],
      ['104', '105', '106', '107'],
      ['104', '105'],
      ['104'],
      ['105'],
      ['105'],
      ['106', '107'],
    ]);
    assert.deepEqual(failures, [{ seqs: ['105'], count: 2, error: 'poison' }]);
    assert.equal(deps.counters.recordsSucceeded, 7);
  });

  it('without bisect, retries the whole batch a bounded number of times, then records the failure', async () => {
    const { deps, calls, failures } = harness(() => thrown('down'), {
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: 2,
    });
    assert.equal(await deliverBatch(records(3), deps), true);
    assert.equal(calls.length, 3);
    assert.deepEqual(failures, [{ seqs: ['100', '101', '102'], count: 3, error: 'down' }]);
    assert.equal(deps.counters.retries, 2);
    assert.equal(deps.counters.recordsToFailure, 3);
  });

  it('gives up on a record that keeps being reported after the retries, and only on what is left', async () => {
    const { deps, failures } = harness(
      () => ({ ok: true, response: { batchItemFailures: [{ itemIdentifier: '102' }] } }),
      {
        maximumRetryAttempts: 2,
      },
    );
    // 102 fails each time: [100..104] → resume at 102 → [102..104] → (102 fails again, index 0) ...
    assert.equal(await deliverBatch(records(5), deps), true);
    assert.deepEqual(failures, [{ seqs: ['102', '103', '104'], count: 3 }]);
    assert.equal(deps.counters.recordsSucceeded, 2);
  });

  it('sends records older than MaximumRecordAgeInSeconds to the failure destination, not the function', async () => {
    const now = Date.now();
    const arrivals = new Map([
      ['100', now - 120_000],
      ['101', now - 90_000],
      ['102', now - 1_000],
      ['103', now],
    ]);
    const { deps, calls, failures } = harness(() => fine, { maximumRecordAgeMs: 60_000 });
    deps.arrivalOf = (record) => arrivals.get(record.seq) ?? now;
    assert.equal(await deliverBatch(records(4), deps), true);
    assert.deepEqual(calls, [['102', '103']]);
    assert.deepEqual(failures, [{ seqs: ['100', '101'], count: 0 }]);
  });

  it('stops without claiming success when aborted during a retry wait', async () => {
    const controller = new AbortController();
    const { deps } = harness(() => {
      controller.abort();
      return thrown('x');
    });
    deps.signal = controller.signal;
    assert.equal(await deliverBatch(records(1), deps), false);
  });

  it('property: with poison records and bisect, every good record succeeds and every poison one is given up on', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 39 }), { maxLength: 5 }),
        fc.integer({ min: 0, max: 3 }),
        async (size, poisonIndexes, retries) => {
          const batch = records(size);
          const poison = new Set(poisonIndexes.filter((i) => i < size).map((i) => String(100 + i)));
          const processed: string[] = [];
          const { deps, failures } = harness(
            (part) => {
              if (part.some((r) => poison.has(r.seq))) return thrown('poison');
              processed.push(...part.map(seqOf));
              return fine;
            },
            { maximumRetryAttempts: retries },
          );
          assert.equal(await deliverBatch(batch, deps), true);
          const given = failures.flatMap((failure) => failure.seqs);
          assert.deepEqual([...given].sort(), [...poison].sort());
          assert.deepEqual(
            processed,
            batch.map(seqOf).filter((seq) => !poison.has(seq)),
            'each good record exactly once, in order',
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
