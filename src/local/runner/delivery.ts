/**
 * Delivering one batch the way Lambda's event source mapping does for Kinesis and DynamoDB
 * streams: ReportBatchItemFailures (retry from the first failed record), BisectBatchOnFunctionError
 * (a thrown error splits the batch in two, which does not count as a retry), bounded retries, and
 * an on-failure record for what is given up on. Records are never reordered.
 */
import { retry } from '../../core/retry.ts';
import type { RunnerCounters } from './counters.ts';
import type { MappingConfig } from './mapping.ts';

export type InvokeOutcome =
  | { ok: true; response: unknown }
  | { ok: false; error: { errorType: string; errorMessage: string } };

export interface FailureInfo {
  condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
  /** Invocations of these records, the first included. */
  approximateInvokeCount: number;
  /** The last error when the function threw; absent for a reported partial failure. */
  functionError?: { errorType: string; errorMessage: string };
}

export interface DeliveryDeps<R> {
  invoke(records: R[]): Promise<InvokeOutcome>;
  sequenceOf(record: R): string;
  /** When the record reached the source (epoch ms), for MaximumRecordAgeInSeconds. */
  arrivalOf?(record: R): number;
  onFailure(records: R[], info: FailureInfo): Promise<void>;
  config: MappingConfig;
  counters: RunnerCounters;
  signal: AbortSignal;
}

type Attempt = 'settled' | 'aborted' | 'retry';

/** Resolves true when every record was either processed or sent to the failure destination. */
export async function deliverBatch<R>(records: R[], deps: DeliveryDeps<R>, attempts = 0): Promise<boolean> {
  let pending = records;
  let tries = attempts;
  let functionError: FailureInfo['functionError'];
  const attempt = async (): Promise<Attempt> => {
    pending = await dropExpired(pending, tries, deps);
    if (pending.length === 0) return 'settled';
    deps.counters.invocations += 1;
    deps.counters.lastInvocationAt = new Date().toISOString();
    const outcome = await deps.invoke(pending);
    if (outcome.ok) {
      const firstFailed = firstFailedIndex(outcome.response, pending, deps.sequenceOf);
      if (firstFailed === undefined) {
        deps.counters.recordsSucceeded += pending.length;
        return 'settled';
      }
      deps.counters.partialFailures += 1;
      deps.counters.recordsSucceeded += firstFailed;
      pending = pending.slice(firstFailed);
      functionError = undefined;
    } else {
      deps.counters.functionErrors += 1;
      deps.counters.lastError = `${outcome.error.errorType}: ${outcome.error.errorMessage}`;
      if (deps.config.bisectBatchOnFunctionError && pending.length > 1) {
        // A split does not count as a retry: each half starts from the tries made so far.
        deps.counters.bisections += 1;
        const middle = Math.ceil(pending.length / 2);
        if (!(await deliverBatch(pending.slice(0, middle), deps, tries))) return 'aborted';
        return (await deliverBatch(pending.slice(middle), deps, tries)) ? 'settled' : 'aborted';
      }
      functionError = outcome.error;
    }
    tries += 1;
    return 'retry';
  };
  try {
    const last = await retry(attempt, {
      attempts: deps.config.maximumRetryAttempts - attempts + 1,
      // Lambda's doubling from the first retry, picked up where a bisected parent left off.
      backoff: { baseMs: deps.config.retryBaseDelayMs * 2 ** attempts, capMs: 2000, jitter: false },
      done: (result) => result !== 'retry',
      onRetry: () => {
        deps.counters.retries += 1;
      },
      signal: deps.signal,
    });
    if (last === 'aborted') return false;
    if (last === 'retry') {
      const info = { condition: 'RetryAttemptsExhausted' as const, approximateInvokeCount: tries };
      await giveUp(pending, functionError ? { ...info, functionError } : info, deps);
    }
    return true;
  } catch (error) {
    if (deps.signal.aborted) return false;
    throw error;
  }
}

/** Records older than MaximumRecordAgeInSeconds go to the failure destination instead of the function. */
async function dropExpired<R>(records: R[], tries: number, deps: DeliveryDeps<R>): Promise<R[]> {
  const maxAge = deps.config.maximumRecordAgeMs;
  if (maxAge < 0 || !deps.arrivalOf) return records;
  const oldest = Date.now() - maxAge;
  const arrivalOf = deps.arrivalOf;
  // Arrival order follows sequence order within a shard: the expired records are a prefix.
  let expired = 0;
  while (expired < records.length && arrivalOf(records[expired] as R) < oldest) expired += 1;
  if (expired === 0) return records;
  await giveUp(records.slice(0, expired), { condition: 'RecordAgeExceeded', approximateInvokeCount: tries }, deps);
  return records.slice(expired);
}

async function giveUp<R>(records: R[], info: FailureInfo, deps: DeliveryDeps<R>): Promise<void> {
  deps.counters.batchesToFailure += 1;
  deps.counters.recordsToFailure += records.length;
  await deps.onFailure(records, info);
}

/**
 * Index of the first record to retry, or undefined when the batch succeeded. As on AWS: an empty
 * or missing list is success; an identifier that is empty or not in the batch fails the whole batch.
 */
export function firstFailedIndex<R>(response: unknown, records: R[], sequenceOf: (record: R) => string) {
  if (response === null || typeof response !== 'object') return undefined;
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  let first = records.length;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = typeof id === 'string' && id !== '' ? records.findIndex((record) => sequenceOf(record) === id) : -1;
    if (index < 0) return 0;
    first = Math.min(first, index);
  }
  return first;
}
