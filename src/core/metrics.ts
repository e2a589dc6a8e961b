/** Metrics derived from a price and the previous close, as the data contract defines them. */

export interface DerivedChange {
  change: number | null;
  change_percent: number | null;
}

/** change = price − previous_close; change_percent = change ÷ previous_close × 100, to 2 decimals. */
export function deriveChange(price: number, previousClose: number | null | undefined): DerivedChange {
  return { change: changeFrom(price, previousClose), change_percent: changePercentFrom(price, previousClose) };
}

/**
 * deriveChange's `change` alone (null without a usable previous close): a replay of a million rows
 * makes no object per row to carry the pair.
 */
export function changeFrom(price: number, previousClose: number | null | undefined): number | null {
  if (previousClose === null || previousClose === undefined || !(previousClose > 0)) return null;
  // Six decimals for change drops float noise (187.3 − 185.1 = 2.200000000000017) but keeps real precision.
  return roundTo(price - previousClose, 6);
}

/** deriveChange's `change_percent` alone. */
export function changePercentFrom(price: number, previousClose: number | null | undefined): number | null {
  if (previousClose === null || previousClose === undefined || !(previousClose > 0)) return null;
  return roundTo(((price - previousClose) / previousClose) * 100, 2);
}

/** 10^0 … 10^15, looked up rather than computed: roundTo runs twice per replayed row. */
const FACTORS = Array.from({ length: 16 }, (_, k) => 10 ** k);

export function roundTo(value: number, decimals: number): number {
  const factor = FACTORS[decimals] ?? 10 ** decimals;
  // Number.EPSILON nudges halves like 1.005 the way people expect (1.01, not 1.00).
  const rounded = Math.round((value + Math.sign(value) * Number.EPSILON) * factor) / factor;
  // A tiny negative change rounds to -0, which renders as "-0.00": report it as 0.
  return rounded === 0 ? 0 : rounded;
}

/** Whether a move is large enough to be flagged as an anomaly (default threshold 5 %). */
export function isAnomaly(changePercent: number | null, thresholdPercent: number): boolean {
  return changePercent !== null && Math.abs(changePercent) >= thresholdPercent;
}

/** What a quote says of its change: the contract's fields, as stored or as a producer sent them. */
export interface ChangeFields {
  price: number;
  previous_close?: number | null | undefined;
  change?: number | null | undefined;
  change_percent?: number | null | undefined;
}

/**
 * A quote's change, the one definition every command shows (query, watch, alerts, demo, stream):
 * against `previous_close`, as the data contract says — the stored `change` and `change_percent`
 * (which ingest derives from `previous_close` when a producer gives none), or derived here from
 * `previous_close` when the quote has not been through ingest. Never the move across a chart.
 */
export function quoteChange(quote: ChangeFields): DerivedChange {
  const change = quote.change ?? null;
  const percent = quote.change_percent ?? null;
  if (change !== null || percent !== null) return { change, change_percent: percent };
  return deriveChange(quote.price, quote.previous_close);
}

/** "+1.17 (+2.38%)", "-0.40 (-0.79%)", "+1.17", or undefined when the change is unknown. */
export function formatChange({ change, change_percent }: DerivedChange): string | undefined {
  const signed = (value: number) => `${value > 0 ? '+' : value < 0 ? '-' : '±'}${Math.abs(value).toFixed(2)}`;
  if (change === null && change_percent === null) return undefined;
  if (change === null) return `${signed(change_percent as number)}%`;
  return change_percent === null ? signed(change) : `${signed(change)} (${signed(change_percent)}%)`;
}
