/**
 * Runner positions, one file per function: `checkpoints/<fn>.json` =
 * { source, epoch, shards: { <shardId>: <last processed sequence number> } }. `epoch` identifies
 * the incarnation of the source (a stream's creation time): positions in a recreated stream are void.
 */
import { join } from 'node:path';
import { readJsonState, writeJsonAtomic } from '../files.ts';
import { type LocalPaths, safeFileName } from '../paths.ts';

interface CheckpointFile {
  source: string;
  epoch: string;
  shards: Record<string, string>;
}

export class CheckpointStore {
  private readonly file: string;
  private readonly source: string;
  private state: CheckpointFile | undefined;

  constructor(paths: LocalPaths, functionName: string, source: string) {
    this.file = join(paths.checkpointsDir, `${safeFileName(functionName)}.json`);
    this.source = source;
  }

  /**
   * Positions for this incarnation of the source; positions of another source or incarnation are
   * void. A file that is there but cannot be read throws: starting from the stream's beginning
   * instead would deliver everything a second time.
   */
  open(epoch: string): Record<string, string> {
    const read = readJsonState<CheckpointFile>(this.file);
    if (read.state === 'unreadable') throw new CheckpointUnreadableError(this.file, read.reason);
    const saved = read.state === 'ok' ? read.value : undefined;
    if (saved !== undefined && !isCheckpointFile(saved)) {
      throw new CheckpointUnreadableError(this.file, 'not a checkpoint file');
    }
    this.state =
      saved && saved.source === this.source && saved.epoch === epoch
        ? saved
        : { source: this.source, epoch, shards: {} };
    return { ...this.state.shards };
  }

  get(shardId: string): string | undefined {
    return this.state?.shards[shardId];
  }

  save(shardId: string, sequenceNumber: string): void {
    if (!this.state) throw new Error('checkpoint store used before open()');
    this.state.shards[shardId] = sequenceNumber;
    writeJsonAtomic(this.file, this.state);
  }
}

function isCheckpointFile(value: unknown): value is CheckpointFile {
  const file = value as CheckpointFile;
  return (
    typeof file === 'object' &&
    file !== null &&
    typeof file.source === 'string' &&
    typeof file.epoch === 'string' &&
    typeof file.shards === 'object' &&
    file.shards !== null &&
    Object.values(file.shards).every((sequence) => typeof sequence === 'string')
  );
}

/** The runner of this checkpoint stops (and says why) rather than replay its source from the start. */
export class CheckpointUnreadableError extends Error {
  override readonly name = 'CheckpointUnreadableError';
  constructor(file: string, reason: string) {
    super(
      `checkpoint ${file} cannot be read (${reason}): this runner is stopped rather than deliver its source again from the start; repair the file, or delete it to replay everything, then restart the stack (\`stockpipe local stop\`, then \`stockpipe local start\`)`,
    );
  }
}
