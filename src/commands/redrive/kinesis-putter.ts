/**
 * Puts redriven records on the stream with PutRecords, resending only the entries Kinesis
 * refused (throttling, internal failures) with jittered backoff; the SDK retries whole calls.
 */
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { StreamRecord } from '../../core/failed-records.ts';
import { StockpipeError } from '../../errors.ts';
import type { RecordPutter } from './run.ts';

const ATTEMPTS = 8;

export function kinesisPutter(
  kinesis: KinesisClient,
  stream: string,
  sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
): RecordPutter {
  return {
    async put(records) {
      let pending: readonly StreamRecord[] = records;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === ATTEMPTS) {
          throw new StockpipeError(
            `Kinesis refused ${pending.length} records ${ATTEMPTS} times; nothing was moved, run redrive again`,
          );
        }
        if (attempt > 0) await sleep(Math.random() * Math.min(5000, 100 * 2 ** attempt));
        const output = await kinesis.send(
          new PutRecordsCommand({
            StreamName: stream,
            Records: pending.map((record) => ({ Data: record.data, PartitionKey: record.partitionKey })),
          }),
        );
        const results = output.Records ?? [];
        pending = pending.filter((_, i) => results[i]?.ErrorCode !== undefined || results[i] === undefined);
      }
    },
  };
}
