/**
 * Log retention settings, apart from the log-group resource so that parsing `--log-retention-days`
 * (setup, and backtest through the shared strategy flags) loads no SDK client.
 */
export const DEFAULT_LOG_RETENTION_DAYS = 14;
/** The values CloudWatch Logs accepts for retentionInDays. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
