/**
 * The ingest function's own CloudWatch metrics, written as Embedded Metric Format log lines (no API
 * call, no extra permission): what each invocation finished with. `status` sums them over the last
 * hour, so it can show where the records that came in went. One definition for the handler and
 * the reader.
 */
export const INGEST_METRICS = {
  namespace: 'stockpipe',
  /** Powertools' `service` dimension, set to the function's name: one series per pipeline. */
  dimension: 'service',
  stored: 'RecordsStored',
  quarantined: 'RecordsQuarantined',
  superseded: 'RecordsSuperseded',
} as const;

/**
 * The trends function's: points its strategy could not judge (it threw, or returned something
 * else than a verdict). The observation is stored either way; `status` shows the hour's count.
 */
export const TRENDS_METRICS = {
  namespace: INGEST_METRICS.namespace,
  dimension: INGEST_METRICS.dimension,
  strategyErrors: 'StrategyErrors',
  /** The log line that says which symbol's points failed, and why (offline, status sums its `points`). */
  failedMessage: 'strategy failed',
} as const;
