/**
 * What the pipeline keeps in DynamoDB, shared by the handlers (writers), setup (table keys) and
 * the commands that read (alerts, watch, status).
 */
import type { StockEvent } from './event.ts';
import type { SignalKind } from './strategies/types.ts';

/** <name>-quotes: one item per observation; the same observation written twice overwrites itself. */
export const QUOTES_KEY = { partition: 'symbol', sort: 'timestamp' } as const;
/** TTL attribute of the quotes table: epoch seconds. */
export const QUOTES_TTL_ATTRIBUTE = 'expires_at';

export interface QuoteItem extends StockEvent {
  /** |change_percent| ≥ the anomaly threshold. */
  anomaly: boolean;
  /** When the ingest function stored it (ISO-8601 UTC). */
  ingested_at: string;
  /** TTL, epoch seconds. */
  expires_at: number;
}

/**
 * <name>-alerts: one item per alert. The sort key `alert_key` = `${timestamp}#${signal}` makes a
 * re-delivered batch rewrite the same alert instead of adding a second one.
 */
export const ALERTS_KEY = { partition: 'symbol', sort: 'alert_key' } as const;
export const ALERTS_TTL_ATTRIBUTE = 'expires_at';

export interface AlertRecord {
  symbol: string;
  alert_key: string;
  signal: SignalKind;
  strategy: string;
  /** Timestamp of the point that raised the signal. */
  timestamp: string;
  price: number;
  indicators: Record<string, number>;
  message: string;
  subject: string;
  language: string;
  /** When the alert was published (ISO-8601 UTC, wall clock); `stockpipe alerts --since` filters on it. */
  published_at: string;
  /** SNS MessageId, when the alert was published to a topic. */
  message_id?: string;
  expires_at: number;
}

export function alertKey(timestamp: string, signal: SignalKind): string {
  return `${timestamp}#${signal}`;
}

/**
 * The key part of CreateTable for a (partition, sort) table of string keys, and on-demand
 * billing: every pipeline table, on AWS, offline and in tests, is created from this.
 */
export function onDemandTableKeys(key: { partition: string; sort: string }) {
  return {
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: key.partition, AttributeType: 'S' as const },
      { AttributeName: key.sort, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: key.partition, KeyType: 'HASH' as const },
      { AttributeName: key.sort, KeyType: 'RANGE' as const },
    ],
  };
}
