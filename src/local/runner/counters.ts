/** What each runner has done, for `stockpipe local status` and the demo. */
export interface RunnerCounters {
  /** Records read from the source. */
  recordsRead: number;
  /** Records the function processed successfully (partial successes included). */
  recordsSucceeded: number;
  invocations: number;
  /** Invocations that threw (or timed out, or crashed the worker). */
  functionErrors: number;
  /** Invocations that returned batchItemFailures. */
  partialFailures: number;
  retries: number;
  bisections: number;
  /** Batches sent to the on-failure file after the last retry, and the records in them. */
  batchesToFailure: number;
  recordsToFailure: number;
  lastInvocationAt: string | null;
  lastError: string | null;
  /** Why the runner is not consuming, when it is not (e.g. the handler failed to load). */
  waitingFor: string | null;
  /**
   * How old the last record handed to the function was when it was handed over (ms), 0 once the
   * source is drained: Lambda's IteratorAge metric, the backlog `status` reports.
   */
  iteratorAgeMs: number;
}

export function newCounters(): RunnerCounters {
  return {
    recordsRead: 0,
    recordsSucceeded: 0,
    invocations: 0,
    functionErrors: 0,
    partialFailures: 0,
    retries: 0,
    bisections: 0,
    batchesToFailure: 0,
    recordsToFailure: 0,
    lastInvocationAt: null,
    lastError: null,
    waitingFor: null,
    iteratorAgeMs: 0,
  };
}
