/**
 * One DynamoDB stream batch: for each symbol, the strategy's history from before the batch's
 * first new point (one Query), merged with the new points, evaluated at every new point in
 * timestamp order; signals pass staleness and cooldown, then are published and recorded.
 * Symbols are independent: one that fails makes the batch fail from its first record, and the
 * retry skips the alerts already recorded.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { TrendsConfig } from '../../src/core/handler-env.ts';
import { TRENDS_METRICS } from '../../src/core/ingest-metrics.ts';
import {
  anomalySignals,
  evaluateStrategy,
  type PricePoint,
  type Signal,
  type Strategy,
  type StrategyFailure,
} from '../../src/core/strategies/index.ts';
import { failuresFrom, type PartialBatchResponse } from '../shared/batch-response.ts';
import { errorFields } from '../shared/log.ts';
import { type AlertDeps, type AlertOutcome, AlertPublisher } from './alerts.ts';
import { MARKET_FIELDS, type NewPoint, newPointsBySymbol, type SymbolBatch, strategyPoint } from './stream.ts';

/** AlertDeps' clients, log and clock, with the whole config and the strategy. */
export interface TrendsDeps extends Omit<AlertDeps, 'config'> {
  config: TrendsConfig;
  /** The strategy config.strategy names (lambdas/trends/strategy.ts loads it). */
  strategy: Strategy;
}

export interface TrendsCounts {
  received: number;
  points: number;
  symbols: number;
  signals: number;
  alerts: number;
  already_recorded: number;
  cooldown: number;
  stale: number;
  failed: number;
  /** Points the strategy could not judge (threw, or returned no verdict): no signal, the quote stays stored. */
  strategy_errors: number;
}

export async function trendsBatch(
  records: readonly DynamoDBRecord[],
  deps: TrendsDeps,
): Promise<PartialBatchResponse & { counts: TrendsCounts }> {
  const { groups } = newPointsBySymbol(records);
  const publisher = new AlertPublisher(deps);
  const outcomes: AlertOutcome[] = [];
  let strategyErrors = 0;
  let limit = records.length;
  const results = await Promise.allSettled(groups.map((group) => evaluateSymbol(group, deps, publisher)));
  results.forEach((result, i) => {
    const group = groups[i] as SymbolBatch;
    if (result.status === 'fulfilled') {
      outcomes.push(...result.value.outcomes);
      strategyErrors += result.value.strategyErrors;
    } else {
      limit = Math.min(limit, group.firstIndex);
      deps.log.warn('symbol failed; Lambda retries from its first record', {
        symbol: group.symbol,
        ...errorFields(result.reason),
      });
    }
  });
  const count = (outcome: AlertOutcome['outcome']) => outcomes.filter((o) => o.outcome === outcome).length;
  const counts: TrendsCounts = {
    received: records.length,
    points: groups.reduce((sum, group) => sum + group.points.length, 0),
    symbols: groups.length,
    signals: outcomes.length,
    alerts: count('alerted'),
    already_recorded: count('already_recorded'),
    cooldown: count('cooldown'),
    stale: count('stale'),
    failed: records.length - limit,
    strategy_errors: strategyErrors,
  };
  const sequenceNumbers = records.map((record) => record.dynamodb?.SequenceNumber ?? '');
  if (limit < records.length) deps.log.warn('batch partially processed', { ...counts });
  else deps.log.info('batch processed', { ...counts });
  return { ...failuresFrom(sequenceNumbers, limit), counts };
}

async function evaluateSymbol(
  group: SymbolBatch,
  deps: TrendsDeps,
  publisher: AlertPublisher,
): Promise<{ outcomes: AlertOutcome[]; strategyErrors: number }> {
  const { config, strategy } = deps;
  const first = group.points[0] as NewPoint;
  const stored = await storedSeries(deps, group, strategy.history);
  // The stream image and the table agree; the batch's own points win if a read raced a write.
  const byTimestamp = new Map<string, PricePoint>(stored.map((point) => [point.timestamp, point]));
  for (const point of group.points)
    byTimestamp.set(point.timestamp, strategyPoint(point.timestamp, point.price, point));
  const series = [...byTimestamp.values()].sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
  const fromIndex = series.findIndex((point) => point.timestamp === first.timestamp);
  const isNew = (signal: Signal) => group.points.some((point) => point.timestamp === signal.timestamp);
  const failures: StrategyFailure[] = [];
  const signals: Signal[] = evaluateStrategy(strategy, series, fromIndex, failures).filter(isNew);
  // A strategy that fails never blocks the stream: the quote is stored, the point raises nothing.
  const strategyErrors = failures.filter((failure) => isNewTimestamp(group, failure.timestamp)).length;
  if (strategyErrors > 0) {
    const firstFailure = failures.find((failure) => isNewTimestamp(group, failure.timestamp)) as StrategyFailure;
    deps.log.error(TRENDS_METRICS.failedMessage, {
      symbol: group.symbol,
      strategy: strategy.name,
      points: strategyErrors,
      observed_at: firstFailure.timestamp,
      error: firstFailure.error,
    });
  }
  if (config.anomalyAlerts) {
    signals.push(...anomalySignals(series, config.anomalyThresholdPct, fromIndex).filter(isNew));
  }
  signals.sort((a, b) => a.index - b.index);
  if (signals.length === 0) return { outcomes: [], strategyErrors };
  const pointsByTimestamp = new Map(group.points.map((point) => [point.timestamp, point]));
  return {
    outcomes: await publisher.handle(group.symbol, signals, pointsByTimestamp, first.timestamp),
    strategyErrors,
  };
}

function isNewTimestamp(group: SymbolBatch, timestamp: string): boolean {
  return group.points.some((point) => point.timestamp === timestamp);
}

/**
 * The stored points up to the batch's last new point, plus the `needed` points before its first
 * one, oldest first: one Query (newest first, Limit = needed + the batch's points) in the usual
 * case. Stored points *between* the batch's points (a stream batch that split one ingest write)
 * make it page on, so every new point is evaluated against the full series before it.
 */
async function storedSeries(deps: TrendsDeps, group: SymbolBatch, needed: number): Promise<PricePoint[]> {
  const first = (group.points[0] as NewPoint).timestamp;
  const last = (group.points[group.points.length - 1] as NewPoint).timestamp;
  const points: PricePoint[] = [];
  let older = 0;
  let done = false;
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await deps.documents.send(
      new QueryCommand({
        TableName: deps.config.quotesTable,
        KeyConditionExpression: '#symbol = :symbol AND #timestamp <= :last',
        ExpressionAttributeNames: {
          '#symbol': 'symbol',
          '#timestamp': 'timestamp',
          '#price': 'price',
          ...Object.fromEntries(MARKET_FIELDS.map((field) => [`#${field}`, field])),
        },
        ExpressionAttributeValues: { ':symbol': group.symbol, ':last': last },
        ProjectionExpression: ['#timestamp', '#price', ...MARKET_FIELDS.map((field) => `#${field}`)].join(', '),
        ScanIndexForward: false,
        Limit: needed + group.points.length,
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of output.Items ?? []) {
      const timestamp = String(item.timestamp);
      const isOlder = timestamp < first;
      if (isOlder && older === needed) {
        done = true;
        break;
      }
      points.push(strategyPoint(timestamp, Number(item.price), item));
      if (isOlder && ++older === needed) {
        done = true;
        break;
      }
    }
    startKey = output.LastEvaluatedKey;
  } while (startKey && !done);
  return points.reverse();
}
