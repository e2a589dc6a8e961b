/**
 * The handlers as the local target runs them: from the built zips, against dynalite and s3rver
 * in-process, with a counting (and throttling) proxy in front of each. Shared by the
 * integration tests and bench/lambdas.ts.
 */

import { gunzipSync } from 'node:zlib';
import { CreateTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand as DocumentScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda';
import type { AwsClients } from '../../../src/aws/clients.ts';
import { onDemandTableKeys } from '../../../src/core/tables.ts';
import { LAMBDA_DEFINITIONS } from '../../../src/packaging/lambda-definition.ts';
import { type LambdaHandler, lambdaContext, loadLambdaHandler } from '../../../src/packaging/load-lambda.ts';
import { type AwsProxy, startAwsProxy } from '../../helpers/aws-proxy.ts';
import { type Emulators, startEmulators } from '../../helpers/emulators.ts';

export interface LambdaStack {
  emulators: Emulators;
  clients: AwsClients;
  ddbProxy: AwsProxy;
  s3Proxy: AwsProxy;
  ingest: LambdaHandler<KinesisStreamEvent, { batchItemFailures: { itemIdentifier: string }[] }>;
  trends: LambdaHandler<DynamoDBStreamEvent, { batchItemFailures: { itemIdentifier: string }[] }>;
  createQuotesTable(name: string): Promise<void>;
  createAlertsTable(name: string): Promise<void>;
  createBucket(name: string): Promise<void>;
  countItems(table: string): Promise<number>;
  scanItems(table: string): Promise<Record<string, unknown>[]>;
  /** Every object under `prefix`: key → its lines (gunzipped when the key ends in .gz). */
  objects(bucket: string, prefix: string): Promise<Map<string, string[]>>;
  stop(): Promise<void>;
}

export async function startLambdaStack(env: Record<string, string> = {}): Promise<LambdaStack> {
  const emulators = await startEmulators({ dynamodb: true, s3: true });
  const ddbProxy = await startAwsProxy(emulators.endpoints.dynamodb);
  const s3Proxy = await startAwsProxy(emulators.endpoints.s3);
  // The handlers build their SDK clients from the environment, as they do on AWS.
  Object.assign(process.env, emulators.env, {
    AWS_ENDPOINT_URL_DYNAMODB: ddbProxy.url,
    AWS_ENDPOINT_URL_S3: s3Proxy.url,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    ...env,
  });
  const [ingest, trends] = await Promise.all([
    loadLambdaHandler<KinesisStreamEvent, { batchItemFailures: { itemIdentifier: string }[] }>('ingest', {
      fresh: true,
    }),
    loadLambdaHandler<DynamoDBStreamEvent, { batchItemFailures: { itemIdentifier: string }[] }>('trends', {
      fresh: true,
    }),
  ]);
  const clients = emulators.clients();
  const dynamodb = await clients.get('dynamodb');
  const s3 = await clients.get('s3');
  const documents = await clients.documentClient();
  const keyed = (name: string, sort: string) =>
    dynamodb.send(new CreateTableCommand({ TableName: name, ...onDemandTableKeys({ partition: 'symbol', sort }) }));

  return {
    emulators,
    clients,
    ddbProxy,
    s3Proxy,
    ingest: (event, context) =>
      ingest.handler(event, context ?? lambdaContext('stockpipe-ingest', 60_000, LAMBDA_DEFINITIONS.ingest.memoryMb)),
    trends: (event, context) =>
      trends.handler(event, context ?? lambdaContext('stockpipe-trends', 60_000, LAMBDA_DEFINITIONS.trends.memoryMb)),
    async createQuotesTable(name) {
      await keyed(name, 'timestamp');
    },
    async createAlertsTable(name) {
      await keyed(name, 'alert_key');
    },
    async createBucket(name) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    },
    async countItems(table) {
      let count = 0;
      let start: Record<string, never> | undefined;
      do {
        const page = await dynamodb.send(
          new ScanCommand({ TableName: table, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
        count += page.Count ?? 0;
        start = page.LastEvaluatedKey as typeof start;
      } while (start);
      return count;
    },
    async scanItems(table) {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new DocumentScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async objects(bucket, prefix) {
      const found = new Map<string, string[]>();
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
        );
        for (const object of page.Contents ?? []) {
          const key = object.Key as string;
          const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
          const text = (key.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
          found.set(key, text.trimEnd().split('\n'));
        }
        token = page.NextContinuationToken;
      } while (token);
      return found;
    },
    async stop() {
      await clients.destroy();
      await Promise.all([ddbProxy.close(), s3Proxy.close()]);
      await emulators.stop();
    },
  };
}
