/**
 * What the AWS target reads for `status`'s recent activity: the stream's, the functions' and the
 * strategy's CloudWatch metrics. The local target reads the same from its log files (../targets/local.ts).
 */
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { INGEST_METRICS, TRENDS_METRICS } from '../core/ingest-metrics.ts';
import type { IngestOutcomes } from '../logs/ingest-summaries.ts';
import type { ResourceContext } from './types.ts';

/** How far each function is behind its stream (iterator age, ms; null when unknown). */
export interface Backlog {
  ingestMs: number | null;
  trendsMs: number | null;
}

/** On AWS: the ingest function's own metrics (Embedded Metric Format, src/core/ingest-metrics.ts), summed over the hour. */
export async function ingestMetricsLastHour(ctx: ResourceContext, now: Date): Promise<IngestOutcomes> {
  const dimension = { Name: INGEST_METRICS.dimension, Value: ctx.names.ingestFunction };
  const sum = (metric: string) => sumLastHour(ctx, now, INGEST_METRICS.namespace, metric, dimension);
  const [stored, quarantined, superseded] = await Promise.all([
    sum(INGEST_METRICS.stored),
    sum(INGEST_METRICS.quarantined),
    sum(INGEST_METRICS.superseded),
  ]);
  return { stored, quarantined, superseded };
}

/** On AWS: the trends function's StrategyErrors metric (Embedded Metric Format), summed over the hour. */
export function strategyErrorsMetric(ctx: ResourceContext, now: Date): Promise<number> {
  return sumLastHour(ctx, now, TRENDS_METRICS.namespace, TRENDS_METRICS.strategyErrors, {
    Name: TRENDS_METRICS.dimension,
    Value: ctx.names.trendsFunction,
  });
}

/** On AWS: each function's IteratorAge (Maximum) in the last 5 minutes; null without data. */
export async function iteratorAges(ctx: ResourceContext, now: Date): Promise<Backlog> {
  const cloudwatch = await ctx.clients.get('cloudwatch');
  const age = async (functionName: string) => {
    const metric = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: functionName }],
        StartTime: new Date(now.getTime() - 300_000),
        EndTime: now,
        Period: 60,
        Statistics: ['Maximum'],
      }),
    );
    const latest = (metric.Datapoints ?? []).sort(
      (a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0),
    )[0];
    return latest?.Maximum ?? null;
  };
  const [ingestMs, trendsMs] = await Promise.all([age(ctx.names.ingestFunction), age(ctx.names.trendsFunction)]);
  return { ingestMs, trendsMs };
}

/** The stream's IncomingRecords over the last hour, from CloudWatch. */
export function incomingRecordsLastHour(ctx: ResourceContext, now: Date): Promise<number> {
  return sumLastHour(ctx, now, 'AWS/Kinesis', 'IncomingRecords', { Name: 'StreamName', Value: ctx.names.stream });
}

/** A CloudWatch metric's Sum over the hour before `now` (0 without data). */
async function sumLastHour(
  ctx: ResourceContext,
  now: Date,
  namespace: string,
  metricName: string,
  dimension: { Name: string; Value: string },
): Promise<number> {
  const cloudwatch = await ctx.clients.get('cloudwatch');
  const metric = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: namespace,
      MetricName: metricName,
      Dimensions: [dimension],
      StartTime: new Date(now.getTime() - 3_600_000),
      EndTime: now,
      Period: 3600,
      Statistics: ['Sum'],
    }),
  );
  return (metric.Datapoints ?? []).reduce((sum, point) => sum + (point.Sum ?? 0), 0);
}
