/**
 * The on-failure destination: one JSON line per batch the runner gave up on, in the shape Lambda
 * sends to an on-failure destination (requestContext, responseContext, KinesisBatchInfo or
 * DDBStreamBatchInfo), appended to `failures/<fn>.ndjson`.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FailureInfo } from './delivery.ts';

export interface BatchInfo {
  kind: 'kinesis' | 'dynamodb';
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
  batchSize: number;
  sourceArn: string;
}

export async function appendFailureRecord(
  file: string,
  functionArn: string,
  batch: BatchInfo,
  info: FailureInfo,
): Promise<void> {
  const { kind, sourceArn, ...positions } = batch;
  const record = {
    requestContext: {
      requestId: randomUUID(),
      functionArn,
      condition: info.condition,
      approximateInvokeCount: info.approximateInvokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(info.functionError ? { functionError: 'Unhandled', error: info.functionError } : {}),
    },
    version: '1.0',
    timestamp: new Date().toISOString(),
    ...(kind === 'kinesis'
      ? { KinesisBatchInfo: { ...positions, streamArn: sourceArn } }
      : { DDBStreamBatchInfo: { ...positions, streamArn: sourceArn } }),
  };
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(record)}\n`);
}
