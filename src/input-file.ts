/**
 * Files named on the command line (--config, --symbols-file, query sql --file) are read only when
 * they are regular files of a sane size: /dev/zero, a FIFO or a huge file would otherwise grow
 * the process to gigabytes or block it. Problems are UsageErrors (exit 2, one line).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from './errors.ts';

export function readInputFile(path: string, what: string, maxBytes: number): string {
  let fd: number;
  try {
    // Non-blocking, so opening a FIFO with no writer returns at once instead of hanging.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new UsageError(`cannot read ${what}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UsageError(`cannot read ${what}: not a regular file`);
    if (stat.size > maxBytes) {
      throw new UsageError(`cannot read ${what}: ${stat.size} bytes, more than the ${maxBytes} allowed`);
    }
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxBytes) throw new UsageError(`cannot read ${what}: more than the ${maxBytes} bytes allowed`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
