/**
 * Cooldown per signal kind, judged in the data's own time: a signal alerts only when no alert of
 * the same kind lies within the cooldown on either side of it (so a batch delivered out of order
 * still never alerts twice within a cooldown). Shared by the trends handler and the backtest, so
 * both suppress exactly the same signals.
 */
import type { SignalKind } from './types.ts';

export class Cooldown {
  private readonly windowMs: number;
  /** Alert times per kind, kept sorted: a backtest remembers many, and looks up its neighbours only. */
  private readonly alertTimes = new Map<SignalKind, number[]>();

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  /** True when an alert of this kind was remembered less than the cooldown away from `timestamp`. */
  isCoolingDown(signal: SignalKind, timestamp: string): boolean {
    const times = this.alertTimes.get(signal);
    if (!times) return false;
    const at = Date.parse(timestamp);
    const index = insertionIndex(times, at);
    const near = (i: number) => i >= 0 && i < times.length && Math.abs(at - (times[i] as number)) < this.windowMs;
    return near(index - 1) || near(index);
  }

  remember(signal: SignalKind, timestamp: string): void {
    const at = Date.parse(timestamp);
    const times = this.alertTimes.get(signal);
    if (!times) this.alertTimes.set(signal, [at]);
    else times.splice(insertionIndex(times, at), 0, at);
  }
}

/** The first index whose time is ≥ `at` (binary search over sorted times). */
function insertionIndex(times: readonly number[], at: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((times[middle] as number) < at) low = middle + 1;
    else high = middle;
  }
  return low;
}
