/**
 * The on-failure destination. On AWS both mappings send the batches Lambda gives up on to the raw
 * bucket, and for an S3 destination Lambda writes the whole invocation record — metadata
 * (requestContext, responseContext, KinesisBatchInfo or DDBStreamBatchInfo) plus the `payload`,
 * the event the function was invoked with — as one object at the key Lambda's documentation fixes:
 * `aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>`. The local runner
 * writes the same document at the same kind of key, so `stockpipe redrive` reads both alike.
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FAILED_PREFIX } from '../../core/failed-records.ts';
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

/** Where a runner keeps what it gave up on. */
export interface FailureDestination {
  put(functionArn: string, batch: BatchInfo, info: FailureInfo, records: readonly unknown[]): Promise<void>;
}

/** The invocation record Lambda sends to an S3 on-failure destination. */
export function failureRecord(
  functionArn: string,
  batch: BatchInfo,
  info: FailureInfo,
  records: readonly unknown[],
  now: Date,
): Record<string, unknown> {
  const { kind, sourceArn, ...positions } = batch;
  return {
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
    timestamp: now.toISOString(),
    ...(kind === 'kinesis'
      ? { KinesisBatchInfo: { ...positions, streamArn: sourceArn } }
      : { DDBStreamBatchInfo: { ...positions, streamArn: sourceArn } }),
    payload: { Records: records },
  };
}

/** `aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<UUID>`, as Lambda names it. */
export function failureObjectKey(mappingId: string, shardId: string, now: Date): string {
  const iso = now.toISOString();
  const day = iso.slice(0, 10);
  const time = `${day}T${iso.slice(11, 19).replace(/:/g, '.')}`;
  return `${FAILED_PREFIX}${mappingId}/${shardId}/${day.replace(/-/g, '/')}/${time}-${randomUUID()}`;
}

/** A stable stand-in for a mapping's UUID offline: the same function and source give the same id. */
export function localMappingId(functionName: string, sourceArn: string): string {
  const hex = createHash('sha1').update(`${functionName}\n${sourceArn}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export interface S3FailureDestinationOptions {
  s3: S3Client;
  bucket: string;
  mappingId: string;
  /** Where a record goes when the bucket cannot take it (s3rver down): nothing given up on is lost. */
  fallbackFile: string;
  now?: () => Date;
}

/** The local target's destination: the raw bucket in s3rver, like the AWS mapping's. */
export class S3FailureDestination implements FailureDestination {
  private readonly options: S3FailureDestinationOptions;

  constructor(options: S3FailureDestinationOptions) {
    this.options = options;
  }

  async put(functionArn: string, batch: BatchInfo, info: FailureInfo, records: readonly unknown[]): Promise<void> {
    const now = (this.options.now ?? (() => new Date()))();
    const record = failureRecord(functionArn, batch, info, records, now);
    const body = JSON.stringify(record);
    // The SDK's retry strategy (standard mode) retries a refused connection, throttling and 5xx;
    // what still fails after it goes to the fallback file.
    try {
      await this.options.s3.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: failureObjectKey(this.options.mappingId, batch.shardId, now),
          Body: body,
          ContentType: 'application/json',
        }),
      );
      return;
    } catch {
      // Kept in the fallback file below.
    }
    await new FileFailureDestination(this.options.fallbackFile).write(record);
  }
}

/** One JSON line per record in a local file (tests; the fallback of the S3 destination). */
export class FileFailureDestination implements FailureDestination {
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  put(functionArn: string, batch: BatchInfo, info: FailureInfo, records: readonly unknown[]): Promise<void> {
    return this.write(failureRecord(functionArn, batch, info, records, new Date()));
  }

  async write(record: Record<string, unknown>): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, `${JSON.stringify(record)}\n`);
  }
}
