/**
 * The event source mapping settings the local runner honours, mirroring the AWS mapping setup
 * creates: batch size, batching window, ReportBatchItemFailures, BisectBatchOnFunctionError,
 * MaximumRetryAttempts and an on-failure destination.
 */
export interface MappingConfig {
  batchSize: number;
  /** MaximumBatchingWindowInSeconds, in ms: how long the first record of a batch may wait for more. */
  batchingWindowMs: number;
  maximumRetryAttempts: number;
  /** MaximumRecordAgeInSeconds, in ms; -1: no limit (Lambda's default). */
  maximumRecordAgeMs: number;
  bisectBatchOnFunctionError: boolean;
  /** First retry delay; doubles per attempt up to 2 s. */
  retryBaseDelayMs: number;
  /** How often an idle shard is polled (AWS: about once a second). */
  idlePollMs: number;
  /** The function's timeout: an invocation running longer counts as a function error. */
  functionTimeoutMs: number;
}

export const DEFAULT_MAPPING: MappingConfig = {
  batchSize: 100,
  batchingWindowMs: 1000,
  maximumRetryAttempts: 3,
  maximumRecordAgeMs: -1,
  bisectBatchOnFunctionError: true,
  retryBaseDelayMs: 200,
  idlePollMs: 200,
  functionTimeoutMs: 60_000,
};

export function mappingConfig(overrides: Partial<MappingConfig> | undefined): MappingConfig {
  const merged = { ...DEFAULT_MAPPING };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (key in DEFAULT_MAPPING && typeof value === typeof DEFAULT_MAPPING[key as keyof MappingConfig]) {
      (merged as Record<string, unknown>)[key] = value;
    }
  }
  return merged;
}
