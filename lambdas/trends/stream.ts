/** DynamoDB stream records (NEW_IMAGE) → the new quote points, grouped by symbol. */
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { PricePoint } from '../../src/core/strategies/index.ts';

/** The data contract's market fields besides timestamp and price: what a strategy sees of each point. */
export const MARKET_FIELDS = ['open', 'high', 'low', 'previous_close', 'change', 'change_percent', 'volume'] as const;
type MarketField = (typeof MARKET_FIELDS)[number];

/**
 * The point as every strategy sees it, from the table or the stream alike: timestamp, price and
 * the market fields (null when the producer sent none). One shape, so a strategy judges a stored
 * point and a new one the same way, and as the backtest does.
 */
export function strategyPoint(
  timestamp: string,
  price: number,
  fields: Partial<Record<MarketField, unknown>>,
): Required<PricePoint> {
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  return {
    timestamp,
    price,
    open: number(fields.open),
    high: number(fields.high),
    low: number(fields.low),
    previous_close: number(fields.previous_close),
    change: number(fields.change),
    change_percent: number(fields.change_percent),
    volume: number(fields.volume),
  };
}

export interface NewPoint {
  /** Position in the stream batch. */
  index: number;
  symbol: string;
  timestamp: string;
  price: number;
  change_percent: number | null;
  open: number | null;
  high: number | null;
  low: number | null;
  previous_close: number | null;
  change: number | null;
  volume: number | null;
  ingested_at: string | null;
  source: string | null;
}

export interface SymbolBatch {
  symbol: string;
  /** Sorted by timestamp, one per timestamp. */
  points: NewPoint[];
  /** Lowest stream index among this symbol's records: where a retry must start if it fails. */
  firstIndex: number;
}

/** INSERTs only: a MODIFY is the same observation written again (a retried ingest batch). */
export function newPointsBySymbol(records: readonly DynamoDBRecord[]): { groups: SymbolBatch[]; ignored: number } {
  const bySymbol = new Map<string, Map<string, NewPoint>>();
  let ignored = 0;
  records.forEach((record, index) => {
    const point = record.eventName === 'INSERT' ? toPoint(record.dynamodb?.NewImage, index) : undefined;
    if (!point) {
      ignored++;
      return;
    }
    const points = bySymbol.get(point.symbol) ?? new Map<string, NewPoint>();
    bySymbol.set(point.symbol, points);
    if (!points.has(point.timestamp)) points.set(point.timestamp, point);
  });
  const groups = [...bySymbol].map(([symbol, points]) => {
    const sorted = [...points.values()].sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
    return { symbol, points: sorted, firstIndex: Math.min(...sorted.map((point) => point.index)) };
  });
  return { groups, ignored };
}

function toPoint(image: Record<string, AttributeValue> | undefined, index: number): NewPoint | undefined {
  if (!image) return undefined;
  const symbol = image.symbol?.S;
  const timestamp = image.timestamp?.S;
  const price = Number(image.price?.N);
  if (!symbol || !timestamp || !Number.isFinite(price)) return undefined;
  const numberOf = (field: MarketField) => {
    const raw = image[field]?.N;
    return raw === undefined ? null : Number(raw);
  };
  return {
    index,
    symbol,
    timestamp,
    price,
    open: numberOf('open'),
    high: numberOf('high'),
    low: numberOf('low'),
    previous_close: numberOf('previous_close'),
    change: numberOf('change'),
    change_percent: numberOf('change_percent'),
    volume: numberOf('volume'),
    ingested_at: image.ingested_at?.S ?? null,
    source: image.source?.S ?? null,
  };
}
