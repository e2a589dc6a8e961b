/**
 * Progress while streaming: a live status line on a terminal (redrawn in place), plain lines
 * every so often otherwise. Sent, failed, rate, and the last price per symbol with its change.
 */
import type { StockEvent } from '../core/event.ts';
import { quoteChange } from '../core/metrics.ts';
import type { IO } from '../ui/io.ts';
import { LiveLine } from '../ui/live-line.ts';
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

/** `stream`'s progress: sent, failed, rate, and the last price per symbol with its change. */
export class StreamStatus {
  private readonly options: StatusOptions;
  private readonly last = new Map<string, StockEvent>();
  private readonly started: number;
  private readonly line: LiveLine;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: StatusOptions) {
    this.options = options;
    this.started = (options.now ?? Date.now)();
    this.line = new LiveLine(options.io, {
      plainEveryMs: options.plainEveryMs ?? 10_000,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  start(): void {
    this.timer = setInterval(() => this.line.update(this.render()), LIVE_EVERY_MS);
    this.timer.unref();
  }

  onEvent(event: StockEvent): void {
    this.last.set(event.symbol, event);
  }

  /** A warning on a line of its own, above the live line. */
  print(line: string): void {
    this.line.print(line);
  }

  /** Stop drawing and clear the live line, so the summary starts on a clean row. */
  stop(): void {
    clearInterval(this.timer);
    this.line.clear();
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
      const pct = quoteChange(event).change_percent;
      const change = pct === null ? '' : ` ${pct > 0 ? '+' : ''}${pct.toFixed(2)}%`;
      const colour = pct === null || pct === 0 ? style.dim : pct > 0 ? style.green : style.red;
      return `${event.symbol} ${event.price.toFixed(2)}${colour(change)}`;
    });
    const more = this.last.size > MAX_SYMBOLS_SHOWN ? [`+${this.last.size - MAX_SYMBOLS_SHOWN} more`] : [];
    return [...parts, ...symbols, ...more].join(' · ');
  }
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 100) return `${Math.round(perSecond).toLocaleString('en-US')} ev`;
  return `${perSecond.toFixed(1)} ev`;
}
