/**
 * The trends function logs one `strategy failed` line per symbol and batch whose strategy could not
 * judge some points (lambdas/trends/trends.ts), with how many. Summed over a time range: the local
 * target's answer to the StrategyErrors metric CloudWatch keeps on AWS.
 */
import { TRENDS_METRICS } from '../core/ingest-metrics.ts';

const STRATEGY_FAILED_MESSAGE = TRENDS_METRICS.failedMessage;

/** The points counted by the `strategy failed` lines of `logText` (JSON lines) logged at or after `since`. */
export function strategyErrorsSince(logText: string, since: number): number {
  let total = 0;
  for (const line of logText.split('\n')) {
    if (!line.includes(`"${STRATEGY_FAILED_MESSAGE}"`)) continue;
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.message !== STRATEGY_FAILED_MESSAGE) continue;
      if (typeof entry.timestamp === 'string' && Date.parse(entry.timestamp) < since) continue;
      if (typeof entry.points === 'number') total += entry.points;
    } catch {
      // Not a JSON line.
    }
  }
  return total;
}
