import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { onDemandTableKeys } from '../../../src/core/tables.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../src/local/constants.ts';
import { DynamoDbProxy } from '../../../src/local/daemon/dynamodb-proxy.ts';
import { localPaths } from '../../../src/local/paths.ts';
import { FileFailureDestination } from '../../../src/local/runner/failures.ts';
import type { FunctionInvoker } from '../../../src/local/runner/invoker.ts';
import { mappingConfig } from '../../../src/local/runner/mapping.ts';
import { TableStreamLog } from '../../../src/local/runner/table-stream.ts';
import { TableStreamRunner } from '../../../src/local/runner/table-stream-runner.ts';
import { type Emulators, startEmulators } from '../../helpers/emulators.ts';
import { waitFor } from '../../helpers/wait.ts';

const quote = (symbol: string, timestamp: string, price: number) => ({
  symbol: { S: symbol },
  timestamp: { S: timestamp },
  price: { N: String(price) },
});

describe('DynamoDB-stream substitute: the proxy derives INSERT records for new items only', () => {
  let emulators: Emulators;
  let proxy: DynamoDbProxy;
  let client: DynamoDBClient;
  let cwd: string;
  let log: TableStreamLog;
  const alerts: unknown[] = [];

  before(async () => {
    emulators = await startEmulators({ dynamodb: true });
    cwd = mkdtempSync(join(tmpdir(), 'stockpipe-ddbstream-'));
    log = new TableStreamLog(localPaths(cwd), 'p-quotes');
    proxy = new DynamoDbProxy({
      upstreamPort: Number(new URL(emulators.endpoints.dynamodb).port),
      observerOf: (table) => {
        if (table === 'p-quotes') {
          return (items) => {
            log.appendInserts(items.map((item) => ({ keys: item.keys as never, newImage: item.newImage as never })));
          };
        }
        if (table === 'p-alerts') return (items) => alerts.push(...items.map((item) => item.keys));
        return undefined;
      },
    });
    const port = await proxy.listen();
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    for (const [table, sort] of [
      ['p-quotes', 'timestamp'],
      ['p-alerts', 'alert_key'],
      ['other', 'timestamp'],
    ] as const) {
      await client.send(
        new CreateTableCommand({ TableName: table, ...onDemandTableKeys({ partition: 'symbol', sort }) }),
      );
    }
  });
  after(async () => {
    client.destroy();
    await proxy.close();
    await emulators.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const images = (records: DynamoDBRecord[]) =>
    records.map((record) => `${record.dynamodb?.NewImage?.symbol?.S}@${record.dynamodb?.NewImage?.timestamp?.S}`);

  it('PutItem of a new item is an INSERT with NewImage, Keys and a sequence number; an overwrite is not', async () => {
    const before = log.readAfter(undefined, 1000).length;
    await client.send(new PutItemCommand({ TableName: 'p-quotes', Item: quote('AAPL', 't1', 1) }));
    await client.send(new PutItemCommand({ TableName: 'p-quotes', Item: quote('AAPL', 't1', 2) }));
    const records = log.readAfter(undefined, 1000).slice(before);
    assert.equal(records.length, 1);
    const [record] = records;
    assert.equal(record?.eventName, 'INSERT');
    assert.equal(record?.eventSource, 'aws:dynamodb');
    assert.deepEqual(record?.dynamodb?.Keys, { symbol: { S: 'AAPL' }, timestamp: { S: 't1' } });
    assert.deepEqual(record?.dynamodb?.NewImage, quote('AAPL', 't1', 1));
    assert.equal(record?.dynamodb?.StreamViewType, 'NEW_IMAGE');
    assert.match(record?.dynamodb?.SequenceNumber ?? '', /^\d{21}$/);
    assert.equal(typeof record?.dynamodb?.ApproximateCreationDateTime, 'number');
    assert.match(record?.eventSourceARN ?? '', /table\/p-quotes\/stream\//);
  });

  it('BatchWriteItem: INSERTs for the new items only, in write order', async () => {
    await client.send(new PutItemCommand({ TableName: 'p-quotes', Item: quote('MSFT', 't2', 1) }));
    const mark = log.readAfter(undefined, 1000).length;
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          'p-quotes': [
            { PutRequest: { Item: quote('MSFT', 't3', 1) } },
            { PutRequest: { Item: quote('MSFT', 't2', 9) } }, // exists: an overwrite
            { PutRequest: { Item: quote('IBM', 't1', 1) } },
            { PutRequest: { Item: quote('MSFT', 't4', 1) } },
          ],
          other: [{ PutRequest: { Item: quote('X', 't1', 1) } }],
        },
      }),
    );
    const records = log.readAfter(undefined, 1000).slice(mark);
    assert.deepEqual(images(records), ['MSFT@t3', 'IBM@t1', 'MSFT@t4']);
    const sequences = records.map((record) => BigInt(record.dynamodb?.SequenceNumber ?? '0'));
    assert.deepEqual(
      sequences,
      [...sequences].sort((a, b) => (a < b ? -1 : 1)),
    );
  });

  it('UpdateItem creating an item is an INSERT carrying the updated image; updating it again is not', async () => {
    const mark = log.readAfter(undefined, 1000).length;
    const update = (price: number) =>
      client.send(
        new UpdateItemCommand({
          TableName: 'p-quotes',
          Key: { symbol: { S: 'TSLA' }, timestamp: { S: 't1' } },
          UpdateExpression: 'SET price = :p',
          ExpressionAttributeValues: { ':p': { N: String(price) } },
        }),
      );
    await update(5);
    await update(6);
    const records = log.readAfter(undefined, 1000).slice(mark);
    assert.equal(records.length, 1);
    assert.deepEqual(records[0]?.dynamodb?.NewImage, quote('TSLA', 't1', 5));
  });

  it('a failed conditional write and writes to unobserved tables derive nothing', async () => {
    const mark = log.readAfter(undefined, 1000).length;
    await assert.rejects(
      client.send(
        new PutItemCommand({
          TableName: 'p-quotes',
          Item: quote('NEW', 't1', 1),
          ConditionExpression: 'attribute_exists(symbol)',
        }),
      ),
      { name: 'ConditionalCheckFailedException' },
    );
    await client.send(new PutItemCommand({ TableName: 'other', Item: quote('NEW', 't1', 1) }));
    assert.equal(log.readAfter(undefined, 1000).length, mark);
  });

  it('concurrent writers of the same new key produce exactly one INSERT', async () => {
    const mark = log.readAfter(undefined, 1000).length;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        client.send(new PutItemCommand({ TableName: 'p-quotes', Item: quote('RACE', 't1', i + 1) })),
      ),
    );
    assert.equal(log.readAfter(undefined, 1000).slice(mark).length, 1);
  });

  it('new alert items reach the alerts observer once', async () => {
    const item = { symbol: { S: 'AAPL' }, alert_key: { S: 't1#BUY' }, signal: { S: 'BUY' } };
    await client.send(new PutItemCommand({ TableName: 'p-alerts', Item: item }));
    await client.send(new PutItemCommand({ TableName: 'p-alerts', Item: item }));
    assert.deepEqual(alerts, [{ symbol: { S: 'AAPL' }, alert_key: { S: 't1#BUY' } }]);
  });

  it('the trends runner receives DynamoDBStreamEvents in write order, resumes after partial failures, and checkpoints', async () => {
    const runnerLog = new TableStreamLog(localPaths(cwd), 'runner-table');
    const keys = Array.from({ length: 12 }, (_, i) => ({
      keys: {},
      newImage: quote('R', `t${String(i).padStart(2, '0')}`, i),
    }));
    runnerLog.appendInserts(keys as never);
    const seen: string[] = [];
    let failed = false;
    const invoker: FunctionInvoker = {
      functionName: 'fixture-trends',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fixture-trends',
      async invoke(event) {
        const records = (event as DynamoDBStreamEvent).Records;
        seen.push(...images(records));
        const sixth = records.find((record) => record.dynamodb?.NewImage?.timestamp?.S === 't05');
        if (sixth && !failed) {
          failed = true;
          return { ok: true, response: { batchItemFailures: [{ itemIdentifier: sixth.dynamodb?.SequenceNumber }] } };
        }
        return { ok: true, response: { batchItemFailures: [] } };
      },
    };
    const config = mappingConfig({ batchingWindowMs: 100, idlePollMs: 20, retryBaseDelayMs: 1, batchSize: 100 });
    const paths = localPaths(cwd);
    const runner = new TableStreamRunner({
      log: runnerLog,
      invoker,
      config,
      paths,
      failureDestination: new FileFailureDestination(join(cwd, 'f.ndjson')),
    });
    runner.start();
    try {
      await waitFor(() => runner.counters.recordsSucceeded >= 12, '12 records', { intervalMs: 20 });
    } finally {
      await runner.stop();
    }
    assert.equal(runner.counters.recordsSucceeded, 12);
    const expected = keys.map((k) => `R@${k.newImage.timestamp.S}`);
    assert.deepEqual(seen, [...expected, ...expected.slice(5)]);
    // A restarted runner (new log object, same files) finds nothing left to deliver.
    const reopened = new TableStreamLog(paths, 'runner-table');
    const again = new TableStreamRunner({
      log: reopened,
      invoker,
      config,
      paths,
      failureDestination: new FileFailureDestination(join(cwd, 'f.ndjson')),
    });
    assert.equal(reopened.pending, 0);
    await again.stop();
  });
});
