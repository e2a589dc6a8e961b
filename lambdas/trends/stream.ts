/** DynamoDB stream records (NEW_IMAGE) → the new quote points, grouped by symbol. */
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

export interface NewPoint {
  /** Position in the stream batch. */
  index: number;
  symbol: string;
  timestamp: string;
  price: number;
  change_percent: number | null;
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
  const changePercent = image.change_percent?.N;
  return {
    index,
    symbol,
    timestamp,
    price,
    change_percent: changePercent === undefined ? null : Number(changePercent),
    ingested_at: image.ingested_at?.S ?? null,
    source: image.source?.S ?? null,
  };
}
