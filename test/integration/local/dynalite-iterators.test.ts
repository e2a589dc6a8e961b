import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  CreateTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { onDemandTableKeys } from '../../../src/core/tables.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../src/local/constants.ts';
import { dynaliteAbstractLevel, installDynaliteIteratorClose } from '../../../src/local/daemon/dynalite-iterators.ts';
import { localPaths } from '../../../src/local/paths.ts';

// Issue 16: the local stack's memory only grew, because every dynalite Query/Scan left a LevelDB
// iterator open. Count the database's open resources (iterators) around many limited queries.
const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-dynalite-it-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

function countOpenResources(): { open: () => number; attached: () => number } {
  const { AbstractLevel } = dynaliteAbstractLevel() as {
    AbstractLevel: { prototype: { attachResource(r: unknown): void; detachResource(r: unknown): void } };
  };
  const live = new Set<unknown>();
  let attached = 0;
  const { attachResource, detachResource } = AbstractLevel.prototype;
  AbstractLevel.prototype.attachResource = function (resource) {
    live.add(resource);
    attached++;
    return attachResource.call(this, resource);
  };
  AbstractLevel.prototype.detachResource = function (resource) {
    live.delete(resource);
    return detachResource.call(this, resource);
  };
  return { open: () => live.size, attached: () => attached };
}

describe('dynalite in the local stack', () => {
  it('closes the iterator of every Query and Scan, limited or not', async () => {
    const resources = countOpenResources();
    // In this thread (the daemon runs it on a worker thread), so the counter sees its database.
    installDynaliteIteratorClose();
    const { default: dynalite } = await import('dynalite');
    const server: Server = dynalite({ path: localPaths(cwd).dynamodbDir, createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const config: DynamoDBClientConfig = {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    };
    const client = new DynamoDBClient(config);
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'quotes',
          ...onDemandTableKeys({ partition: 'symbol', sort: 'timestamp' }),
        }),
      );
      for (let i = 0; i < 30; i++) {
        await client.send(
          new PutItemCommand({
            TableName: 'quotes',
            Item: { symbol: { S: 'AAPL' }, timestamp: { S: `t${String(i).padStart(2, '0')}` }, price: { N: `${i}` } },
          }),
        );
      }
      const before = resources.open();
      for (let i = 0; i < 100; i++) {
        const answer = await client.send(
          new QueryCommand({
            TableName: 'quotes',
            KeyConditionExpression: 'symbol = :s',
            ExpressionAttributeValues: { ':s': { S: 'AAPL' } },
            ScanIndexForward: false,
            Limit: 5,
          }),
        );
        assert.equal(answer.Items?.length, 5);
      }
      for (let i = 0; i < 20; i++) await client.send(new ScanCommand({ TableName: 'quotes' }));
      // Closing is asynchronous: give it a moment, polling with a deadline.
      const deadline = Date.now() + 5000;
      while (resources.open() - before > 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(resources.open() - before <= 2, `${resources.open() - before} iterators left open by 120 reads`);
      assert.ok(resources.attached() >= 120, 'the counter saw the reads’ iterators');
    } finally {
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
