/** Create a stream on an emulator and read every record back from every shard. */
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import type { StockEvent } from '../../../src/core/event.ts';

export async function createStream(client: KinesisClient, name: string, shards: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName: name });
}

export interface ReadRecord {
  shardId: string;
  partitionKey: string;
  event: StockEvent;
}

/** Every record on every shard, from the start. */
export async function readAll(client: KinesisClient, name: string): Promise<ReadRecord[]> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: name }));
  const records: ReadRecord[] = [];
  for (const shard of Shards) {
    const shardId = shard.ShardId as string;
    let { ShardIterator: iterator } = await client.send(
      new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        records.push({
          shardId,
          partitionKey: record.PartitionKey as string,
          event: JSON.parse(Buffer.from(record.Data as Uint8Array).toString('utf8')) as StockEvent,
        });
      }
      // An open shard always returns a next iterator: stop once it has caught up.
      if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

/** event_id → how many times it arrived. */
export function countById(records: ReadRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { event } of records) counts.set(event.event_id, (counts.get(event.event_id) ?? 0) + 1);
  return counts;
}
