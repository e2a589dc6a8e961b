/**
 * Lambda entry of <name>-ingest (Kinesis trigger). Loading this module needs nothing but the
 * runtime: configuration is read at invocation, so a missing variable fails the invocation with
 * one clear log line instead of breaking the import.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { ingestConfigFromEnv } from '../../src/core/handler-env.ts';
import { INGEST_METRICS } from '../../src/core/ingest-metrics.ts';
import type { PartialBatchResponse } from '../shared/batch-response.ts';
import { ingestBatch } from './ingest.ts';

const logger = new Logger({ serviceName: 'stockpipe-ingest' });
// One metric series per function, so pipelines in one account are counted apart.
const metrics = new Metrics({
  namespace: INGEST_METRICS.namespace,
  serviceName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'stockpipe-ingest',
});
// Created on first use and kept for the life of the execution environment.
let clients: { documents: DynamoDBDocumentClient; s3: S3Client } | undefined;

export async function handler(event: KinesisStreamEvent, context?: Context): Promise<PartialBatchResponse> {
  if (context) logger.addContext(context);
  let config: ReturnType<typeof ingestConfigFromEnv>;
  try {
    config = ingestConfigFromEnv(process.env);
  } catch (error) {
    logger.error((error as Error).message);
    throw error;
  }
  clients ??= {
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    s3: new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL) }),
  };
  const { batchItemFailures, counts } = await ingestBatch(event.Records ?? [], {
    config,
    ...clients,
    log: logger,
    ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
  });
  metrics.addMetric(INGEST_METRICS.stored, MetricUnit.Count, counts.stored);
  metrics.addMetric(INGEST_METRICS.quarantined, MetricUnit.Count, counts.quarantined);
  metrics.addMetric(INGEST_METRICS.superseded, MetricUnit.Count, counts.superseded);
  metrics.publishStoredMetrics();
  return { batchItemFailures };
}
