/**
 * Records that cannot be an observation, one of each common kind, so the demo shows invalid input
 * quarantined with its reason while the batch around it is stored. The ingest door is tolerant
 * (src/core/ingest-reader.ts): a lower-case symbol or a space for `T` would be stored, so these
 * are broken beyond what it repairs.
 */
export interface MalformedRecord {
  /** What is wrong, in the reader's words (src/core/event.ts RejectReason). */
  kind: string;
  data: string;
  partitionKey: string;
}

export function malformedRecords(count: number, symbol: string, now: Date): MalformedRecord[] {
  const timestamp = now.toISOString();
  const valid = { event_id: 'demo-malformed', symbol, timestamp, price: 100, source: 'synthetic' };
  const kinds: Omit<MalformedRecord, 'partitionKey'>[] = [
    { kind: 'not_json', data: `{"symbol": "${symbol}", "price": 1` },
    { kind: 'missing_field', data: JSON.stringify({ ...valid, price: undefined }) },
    { kind: 'non_positive_price', data: JSON.stringify({ ...valid, price: -3 }) },
    { kind: 'bad_symbol', data: JSON.stringify({ ...valid, symbol: `${symbol} ${symbol}` }) },
    { kind: 'bad_timestamp', data: JSON.stringify({ ...valid, timestamp: timestamp.slice(0, 16) }) },
  ];
  return Array.from({ length: count }, (_, i) => {
    const base = kinds[i % kinds.length] as Omit<MalformedRecord, 'partitionKey'>;
    // Each record unique, so none is mistaken for a retry of another.
    const data =
      base.kind === 'not_json' ? `${base.data} #${i}` : base.data.replace('demo-malformed', `demo-malformed-${i}`);
    return { kind: base.kind, data, partitionKey: symbol };
  });
}
