/**
 * One line of progress on stderr: on a terminal it is redrawn in place (cut to the terminal's
 * width, so it never wraps); elsewhere it becomes a plain line at most every `plainEveryMs`.
 * Lines printed with `print` go above it. Silent with --json, whose output is machine-only.
 */
import type { IO } from './io.ts';

export interface LiveLineOptions {
  /** How often a non-terminal gets a plain line (default 5 s). */
  plainEveryMs?: number;
  now?: () => number;
}

export class LiveLine {
  private readonly io: IO;
  private readonly plainEveryMs: number;
  private readonly now: () => number;
  private shown = false;
  private lastPlain = Number.NEGATIVE_INFINITY;

  constructor(io: IO, options: LiveLineOptions = {}) {
    this.io = io;
    this.plainEveryMs = options.plainEveryMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  update(text: string): void {
    if (this.io.json) return;
    if (this.io.isInteractive) {
      // A pseudo-terminal may report 0 columns: assume a common width then.
      const columns = (this.io.stderr as { columns?: number }).columns || 100;
      this.io.stderr.write(`\r\u001b[2K${truncateVisible(text, columns - 1)}`);
      this.shown = true;
    } else if (this.now() - this.lastPlain >= this.plainEveryMs) {
      this.lastPlain = this.now();
      this.io.err(text);
    }
  }

  /** A line of its own (an alert, a warning), above the live line. */
  print(line: string): void {
    if (this.io.json) return;
    this.clear();
    this.io.err(line);
  }

  /** Remove the live line, so what follows starts on a clean row. */
  clear(): void {
    if (this.shown) this.io.stderr.write('\r\u001b[2K');
    this.shown = false;
  }
}

/** Cut to `width` visible characters, keeping colour codes intact. */
export function truncateVisible(text: string, width: number): string {
  let visible = 0;
  let out = '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: splits out ANSI colour codes
  for (const part of text.split(/(\u001b\[[0-9;]*m)/)) {
    if (part.startsWith('\u001b[')) {
      out += part;
      continue;
    }
    const room = width - visible;
    if (room <= 0) continue;
    out += part.slice(0, room);
    visible += Math.min(room, part.length);
  }
  return out;
}
