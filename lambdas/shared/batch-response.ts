/**
 * Partial batch responses for stream sources (Kinesis, DynamoDB streams). Lambda checkpoints
 * before the lowest sequence number reported and retries from there, so a handler that stopped
 * at record k reports k and every record after it: the retry resumes exactly at k.
 */

export interface BatchItemFailure {
  itemIdentifier: string;
}

export interface PartialBatchResponse {
  batchItemFailures: BatchItemFailure[];
}

/** Every record from `firstFailed` on (none when firstFailed ≥ ids.length). */
export function failuresFrom(sequenceNumbers: readonly string[], firstFailed: number): PartialBatchResponse {
  return {
    batchItemFailures: sequenceNumbers.slice(firstFailed).map((itemIdentifier) => ({ itemIdentifier })),
  };
}
