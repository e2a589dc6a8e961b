/**
 * A synthetic market: per symbol, a seeded random walk plus a slow cycle, with an optional drift
 * and periodic one-tick spikes. The cycle (20–40 ticks) is what makes SMA-5/SMA-20 crossovers
 * of both kinds appear within the first couple of minutes at the default 1 s interval, so a demo
 * raises BUY and SELL alerts without waiting for luck.
 */
import { randomUUID } from 'node:crypto';
import type { StockEvent } from '../core/event.ts';
import { deriveChange, roundTo } from '../core/metrics.ts';
import { MonotonicClock } from './clock.ts';
import { hashSeed, type Random, seededRandom } from './random.ts';
import type { EventSource, Poll } from './types.ts';

export const DRIFTS = ['up', 'down', 'flat'] as const;
export type Drift = (typeof DRIFTS)[number];

export interface SyntheticOptions {
  symbols: string[];
  seed: number;
  /** Trend per tick: up +0.05 %, down −0.05 %, flat none. */
  drift: Drift;
  /** Standard deviation of one tick's move, in percent. */
  volatilityPct: number;
  /** Starting price and previous close of every symbol; default: 20–500 chosen by the seed. */
  basePrice?: number;
  /** A one-tick jump every N ticks (0: never). */
  spikeEvery: number;
  /** Size of a spike in percent. */
  spikePct: number;
  now?: () => number;
  newId?: () => string;
}

export const SYNTHETIC_DEFAULTS = { seed: 42, drift: 'flat', volatilityPct: 0.3, spikeEvery: 0, spikePct: 6 } as const;

const DRIFT_PER_TICK: Record<Drift, number> = { up: 0.0005, down: -0.0005, flat: 0 };
/** Amplitude of the cycle in log-price: ±1.5 %. */
const CYCLE_AMPLITUDE = 0.015;
/** Share of the accumulated noise given back each tick. */
const NOISE_REVERSION = 0.02;

interface Walker {
  symbol: string;
  random: Random;
  previousClose: number;
  period: number;
  phase: number;
  /** The accumulated random moves (log-price). */
  walk: number;
  tick: number;
  open: number | null;
  high: number;
  low: number;
  volume: number;
}

export function createSyntheticSource(options: SyntheticOptions): EventSource {
  const clock = new MonotonicClock(options.now);
  const newId = options.newId ?? randomUUID;
  const walkers = options.symbols.map((symbol): Walker => {
    const random = seededRandom(hashSeed(symbol, options.seed));
    const previousClose = options.basePrice ?? roundTo(20 + random.next() * 480, 2);
    return {
      symbol,
      random,
      previousClose,
      period: 20 + random.next() * 20,
      // Start the cycle near its low or high so the first crossing comes early.
      phase: random.next() < 0.5 ? -Math.PI / 2 : Math.PI / 2,
      walk: 0,
      tick: 0,
      open: null,
      high: 0,
      low: Number.POSITIVE_INFINITY,
      volume: 0,
    };
  });

  const step = (walker: Walker, timestamp: string): StockEvent => {
    const t = walker.tick++;
    // Mean-reverting noise (Ornstein–Uhlenbeck): wanders like a market over minutes but never
    // drifts so far from the cycle that the averages stop crossing.
    walker.walk = walker.walk * (1 - NOISE_REVERSION) + (options.volatilityPct / 100) * walker.random.normal();
    const cycle = CYCLE_AMPLITUDE * Math.sin((2 * Math.PI * t) / walker.period + walker.phase);
    let price = walker.previousClose * Math.exp(DRIFT_PER_TICK[options.drift] * t + cycle + walker.walk);
    if (options.spikeEvery > 0 && (t + 1) % options.spikeEvery === 0) {
      // A spike is one tick away from the walk, up or down; the next tick returns to it.
      const direction = walker.random.next() < 0.5 ? -1 : 1;
      price *= 1 + (direction * options.spikePct) / 100;
    }
    price = Math.max(0.01, roundTo(price, 2));
    walker.open ??= price;
    walker.high = Math.max(walker.high, price);
    walker.low = Math.min(walker.low, price);
    walker.volume += 1000 + Math.floor(walker.random.next() * 49_000);
    return {
      event_id: newId(),
      symbol: walker.symbol,
      timestamp,
      price,
      open: walker.open,
      high: walker.high,
      low: walker.low,
      previous_close: walker.previousClose,
      ...deriveChange(price, walker.previousClose),
      volume: walker.volume,
      currency: 'USD',
      market_state: 'REGULAR',
      source: 'synthetic',
    };
  };

  return {
    name: 'synthetic',
    async poll(): Promise<Poll> {
      const timestamp = new Date(clock.tick()).toISOString();
      return { events: walkers.map((walker) => step(walker, timestamp)) };
    },
  };
}
