/**
 * Lambda entry of <name>-trends (DynamoDB stream trigger, INSERT). Loading this module needs
 * nothing but the runtime: configuration is read at invocation, so a missing variable fails the
 * invocation with one clear log line instead of breaking the import.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { trendsConfigFromEnv } from '../../src/core/handler-env.ts';
import { TRENDS_METRICS } from '../../src/core/ingest-metrics.ts';
import type { PartialBatchResponse } from '../shared/batch-response.ts';
import { strategyOf } from './strategy.ts';
import { trendsBatch } from './trends.ts';

const logger = new Logger({ serviceName: 'stockpipe-trends' });
const metrics = new Metrics({
  namespace: TRENDS_METRICS.namespace,
  serviceName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'stockpipe-trends',
});
// Created on first use and kept for the life of the execution environment.
let documents: DynamoDBDocumentClient | undefined;
let sns: SNSClient | undefined;

export async function handler(event: DynamoDBStreamEvent, context?: Context): Promise<PartialBatchResponse> {
  if (context) logger.addContext(context);
  let config: ReturnType<typeof trendsConfigFromEnv>;
  let strategy: Awaited<ReturnType<typeof strategyOf>>;
  try {
    config = trendsConfigFromEnv(process.env);
    strategy = await strategyOf(config);
  } catch (error) {
    logger.error((error as Error).message);
    throw error;
  }
  documents ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const { batchItemFailures, counts } = await trendsBatch(event.Records ?? [], {
    config,
    strategy,
    documents,
    sns: () => {
      sns ??= new SNSClient({});
      return sns;
    },
    log: logger,
  });
  if (counts.strategy_errors > 0) {
    metrics.addMetric(TRENDS_METRICS.strategyErrors, MetricUnit.Count, counts.strategy_errors);
    metrics.publishStoredMetrics();
  }
  return { batchItemFailures };
}
