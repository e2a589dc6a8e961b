/**
 * Puts redriven records on the stream with PutRecords, resending only the entries Kinesis
 * refused (throttling, internal failures) with jittered backoff; the SDK retries whole calls.
 */
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { StreamRecord } from '../../core/failed-records.ts';
import { retry } from '../../core/retry.ts';
import { StockpipeError } from '../../errors.ts';
import type { RecordPutter } from './run.ts';

const ATTEMPTS = 8;

export function kinesisPutter(
  kinesis: KinesisClient,
  stream: string,
  sleep?: (ms: number) => Promise<void>,
): RecordPutter {
  return {
    async put(records) {
      if (records.length === 0) return;
      let pending: readonly StreamRecord[] = records;
      const putPending = async () => {
        const output = await kinesis.send(
          new PutRecordsCommand({
            StreamName: stream,
            Records: pending.map((record) => ({ Data: record.data, PartitionKey: record.partitionKey })),
          }),
        );
        const results = output.Records ?? [];
        pending = pending.filter((_, i) => results[i]?.ErrorCode !== undefined || results[i] === undefined);
        return pending;
      };
      const left = await retry(putPending, {
        attempts: ATTEMPTS,
        backoff: { baseMs: 200, capMs: 5000 },
        done: (refused) => refused.length === 0,
        ...(sleep ? { sleep } : {}),
      });
      if (left.length > 0) {
        throw new StockpipeError(
          `Kinesis refused ${left.length} records ${ATTEMPTS} times; nothing was moved, run redrive again`,
        );
      }
    },
  };
}
