/**
 * Follows `.stockpipe/local/logs/alerts.log`, where the local stack writes one JSON line per new
 * alert record, so the demo can show each alert the moment it fires.
 */
import { open, stat } from 'node:fs/promises';
import type { AlertRecord } from '../../core/tables.ts';

export class AlertFeed {
  private readonly path: string;
  private readonly pipeline: string;
  private offset = 0;
  private partial = '';

  constructor(path: string, pipeline: string) {
    this.path = path;
    this.pipeline = pipeline;
  }

  /** Skip what the file already holds: only alerts from now on are news. */
  async skipExisting(): Promise<void> {
    this.offset = await sizeOf(this.path);
  }

  /** Alerts of this pipeline appended since the last read. */
  async read(): Promise<AlertRecord[]> {
    const size = await sizeOf(this.path);
    if (size <= this.offset) return [];
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(size - this.offset);
      await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset = size;
      const text = this.partial + buffer.toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      return lines.flatMap((line) => {
        try {
          const record = JSON.parse(line) as AlertRecord & { pipeline?: string };
          return record.pipeline === this.pipeline ? [record] : [];
        } catch {
          return [];
        }
      });
    } finally {
      await handle.close();
    }
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
