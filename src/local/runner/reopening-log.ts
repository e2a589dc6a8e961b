/**
 * An append-only log file that comes back when someone deletes it (or its folder): a write
 * stream keeps writing into the deleted file's inode, so `rm -rf .stockpipe/local/logs` silenced
 * every handler log until the stack restarted. At most once a second it checks the path still
 * names its file, and reopens it (folder included) when not.
 */
import { createWriteStream, mkdirSync, statSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

const CHECK_EVERY_MS = 1000;

export class ReopeningLog {
  private readonly file: string;
  private readonly now: () => number;
  private stream: WriteStream | undefined;
  private inode: number | undefined;
  private checkedAt = 0;

  constructor(file: string, now: () => number = Date.now) {
    this.file = file;
    this.now = now;
  }

  write(line: string): void {
    if (this.stream && this.inode !== undefined && this.now() - this.checkedAt >= CHECK_EVERY_MS) {
      this.checkedAt = this.now();
      if (this.currentInode() !== this.inode) {
        this.stream.end();
        this.stream = undefined;
      }
    }
    if (!this.stream) this.open();
    this.stream?.write(line);
  }

  close(callback?: () => void): void {
    if (!this.stream) {
      callback?.();
      return;
    }
    this.stream.end(callback);
    this.stream = undefined;
  }

  private open(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    this.inode = undefined;
    const stream = createWriteStream(this.file, { flags: 'a', mode: 0o600 });
    this.stream = stream;
    // A full disk (ENOSPC) loses log lines, never the stack: the next line opens the file anew.
    stream.on('error', () => {
      if (this.stream === stream) this.stream = undefined;
    });
    // The file exists once the stream has opened it: only then is its inode worth comparing.
    stream.once('open', () => {
      this.inode = this.currentInode();
    });
    this.checkedAt = this.now();
  }

  private currentInode(): number | undefined {
    try {
      return statSync(this.file).ino;
    } catch {
      return undefined;
    }
  }
}
