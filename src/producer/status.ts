/**
 * Progress while streaming: a live status line on a terminal (redrawn in place), plain lines
 * every so often otherwise. Sent, failed, rate, and the last price per symbol with its change.
 */
import type { StockEvent } from '../core/event.ts';
import type { IO } from '../ui/io.ts';
import type { SinkStats } from './types.ts';

export interface StatusOptions {
  io: IO;
  stats: () => SinkStats;
  /** What happened to the events: "sent" to Kinesis, or "printed" by a dry run. */
  verb?: string;
  /** How often a non-terminal gets a line. */
  plainEveryMs?: number;
  now?: () => number;
}

const LIVE_EVERY_MS = 250;
const MAX_SYMBOLS_SHOWN = 8;

export class StatusLine {
  private readonly options: StatusOptions;
  private readonly last = new Map<string, StockEvent>();
  private readonly started: number;
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(options: StatusOptions) {
    this.options = options;
    this.started = (options.now ?? Date.now)();
  }

  start(): void {
    const every = this.options.io.isInteractive ? LIVE_EVERY_MS : (this.options.plainEveryMs ?? 10_000);
    this.timer = setInterval(() => this.draw(), every);
    this.timer.unref();
  }

  onEvent(event: StockEvent): void {
    this.last.set(event.symbol, event);
  }

  /** Stop drawing and clear the live line, so the summary starts on a clean row. */
  stop(): void {
    clearInterval(this.timer);
    if (this.drawn && this.options.io.isInteractive) this.options.io.stderr.write('\r\u001b[2K');
  }

  /** The text of the line (exported for tests). */
  render(): string {
    const style = this.options.io.errStyle; // the live line is on stderr
    const stats = this.options.stats();
    const seconds = Math.max(0.001, ((this.options.now ?? Date.now)() - this.started) / 1000);
    const parts = [
      `${this.options.verb ?? 'sent'} ${stats.sent.toLocaleString('en-US')}`,
      stats.failed > 0 ? style.red(`failed ${stats.failed}`) : 'failed 0',
      ...(stats.retried > 0 ? [`retried ${stats.retried}`] : []),
      `${formatRate(stats.sent / seconds)}/s`,
    ];
    const symbols = [...this.last.values()].slice(0, MAX_SYMBOLS_SHOWN).map((event) => {
      const pct = event.change_percent;
      const change = pct === null ? '' : ` ${pct > 0 ? '+' : ''}${pct.toFixed(2)}%`;
      const colour = pct === null || pct === 0 ? style.dim : pct > 0 ? style.green : style.red;
      return `${event.symbol} ${event.price.toFixed(2)}${colour(change)}`;
    });
    const more = this.last.size > MAX_SYMBOLS_SHOWN ? [`+${this.last.size - MAX_SYMBOLS_SHOWN} more`] : [];
    return [...parts, ...symbols, ...more].join(' · ');
  }

  private draw(): void {
    const { io } = this.options;
    if (io.isInteractive) {
      // A pseudo-terminal may report 0 columns: assume a common width then.
      const columns = (io.stderr as { columns?: number }).columns || 100;
      io.stderr.write(`\r\u001b[2K${truncateVisible(this.render(), columns - 1)}`);
      this.drawn = true;
    } else {
      io.err(this.render());
    }
  }
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 100) return `${Math.round(perSecond).toLocaleString('en-US')} ev`;
  return `${perSecond.toFixed(1)} ev`;
}

/** Cut to `width` visible characters, keeping colour codes intact. */
function truncateVisible(text: string, width: number): string {
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
