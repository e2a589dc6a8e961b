/**
 * Runner positions, one file per function: `checkpoints/<fn>.json` =
 * { source, epoch, shards: { <shardId>: <last processed sequence number> } }. `epoch` identifies
 * the incarnation of the source (a stream's creation time): positions in a recreated stream are void.
 */
import { join } from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../files.ts';
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

  /** Positions for this incarnation of the source; stale positions are forgotten. */
  open(epoch: string): Record<string, string> {
    const saved = readJsonFile<CheckpointFile>(this.file);
    this.state =
      saved && saved.source === this.source && saved.epoch === epoch && saved.shards
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
