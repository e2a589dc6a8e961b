/** Simple moving averages over a series of prices. */

/**
 * The mean of the `window` values ending at `end` (inclusive), or undefined when fewer exist.
 * Sums left to right on purpose: every caller gets bit-identical results for the same window.
 */
export function smaAt(values: readonly number[], window: number, end: number): number | undefined {
  if (window < 1 || end < window - 1 || end >= values.length) return undefined;
  let sum = 0;
  for (let i = end - window + 1; i <= end; i++) sum += values[i] as number;
  return sum / window;
}

/** SMA at every index (undefined until the window is full). */
export function smaSeries(values: readonly number[], window: number): (number | undefined)[] {
  return values.map((_, index) => smaAt(values, window, index));
}
