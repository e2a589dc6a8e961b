/**
 * A file's lines as byte ranges of one reused buffer, with no string per line: a backtest of a
 * million-row CSV spent a third of its time making line strings only to parse numbers out of
 * them. Line breaks are \n, \r\n or \r, as in the replay's text reader.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';

const LF = 10;
const CR = 13;
/** Bytes per read; a line longer than this grows the buffer. */
const READ_BYTES = 1 << 20;

/**
 * The complete lines of one read: line `first + i` is bytes[starts[i], ends[i]), without its
 * break. Valid until the next batch is asked for: the buffer is reused.
 */
export interface ByteLineBatch {
  bytes: Buffer;
  starts: Int32Array;
  ends: Int32Array;
  count: number;
  /** The line number (from 1) of line 0 of this batch. */
  first: number;
}

/**
 * The file's lines, one batch per read. Reads are synchronous into one buffer (a thread-pool
 * round trip per 64 KB read left the process idle a fifth of the time on a busy machine); the
 * event loop gets a turn between reads, so Ctrl+C and timers still run.
 */
export async function* fileByteLines(file: string): AsyncGenerator<ByteLineBatch> {
  const fd = openSync(file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(READ_BYTES);
    let held = 0; // bytes at the buffer's start carried over from the last read: a line not yet ended
    let lineNumber = 1;
    for (;;) {
      if (held === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
      const read = readSync(fd, buffer, held, buffer.length - held, null);
      if (read === 0) break;
      const batch = splitLines(buffer.subarray(0, held + read), lineNumber);
      if (batch.count > 0) yield batch;
      lineNumber += batch.count;
      const used = batch.count === 0 ? 0 : nextLineStart(batch.bytes, batch.ends[batch.count - 1] as number);
      held = batch.bytes.copy(buffer, 0, used);
      await nextTurn();
    }
    // The last line has no break after it (or only a \r that turned out not to start \r\n).
    const end = held > 0 && buffer[held - 1] === CR ? held - 1 : held;
    if (end > 0)
      yield { bytes: buffer, starts: Int32Array.of(0), ends: Int32Array.of(end), count: 1, first: lineNumber };
  } finally {
    closeSync(fd);
  }
}

/** Every line of `bytes` that ends in a line break (a final \r waits: it may be half of \r\n). */
function splitLines(bytes: Buffer, first: number): ByteLineBatch {
  const lines = new LineRanges(bytes.length);
  let start = 0;
  if (bytes.indexOf(CR) < 0) {
    // The usual file: only \n, found by the native search (several times faster than a loop here).
    for (let end = bytes.indexOf(LF); end >= 0; end = bytes.indexOf(LF, start)) {
      lines.add(start, end);
      start = end + 1;
    }
  } else {
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i] as number;
      if (byte !== LF && byte !== CR) continue;
      if (byte === CR && i + 1 === bytes.length) break;
      lines.add(start, i);
      if (byte === CR && bytes[i + 1] === LF) i++;
      start = i + 1;
    }
  }
  return { bytes, starts: lines.starts, ends: lines.ends, count: lines.count, first };
}

/** Where the line after the one ending at `end` starts (past \n, \r or \r\n). */
function nextLineStart(bytes: Buffer, end: number): number {
  return bytes[end] === CR && bytes[end + 1] === LF ? end + 2 : end + 1;
}

class LineRanges {
  // A rough first size, grown on demand: lines of bars are 40–60 bytes.
  starts: Int32Array<ArrayBuffer>;
  ends: Int32Array<ArrayBuffer>;
  count = 0;

  constructor(bytes: number) {
    this.starts = new Int32Array(Math.max(64, bytes >> 5));
    this.ends = new Int32Array(this.starts.length);
  }

  add(start: number, end: number): void {
    if (this.count === this.starts.length) {
      this.starts = grown(this.starts);
      this.ends = grown(this.ends);
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }
}

function grown(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(array.length * 2);
  larger.set(array);
  return larger;
}
