/**
 * From signals to alerts. Cooldown (per symbol and signal, on either side of a recorded alert)
 * and staleness are judged in the data's own time. An alert is
 * published first and recorded after (a conditional put keyed by timestamp#signal): a failed
 * publish leaves no record, so the retry publishes it; a redelivered batch finds the record and
 * sends nothing. The only window for a second e-mail is a crash between publish and put.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { alertText } from '../../src/core/alert-text.ts';
import type { TrendsConfig } from '../../src/core/handler-env.ts';
import { Cooldown, type Signal, type SignalKind } from '../../src/core/strategies/index.ts';
import { type AlertRecord, alertKey } from '../../src/core/tables.ts';
import type { HandlerLog } from '../shared/log.ts';
import type { NewPoint } from './stream.ts';

/** What publishing needs (a part of trends.ts's TrendsDeps): declared here, as trends.ts imports this file. */
export interface AlertDeps {
  config: Pick<TrendsConfig, 'alertsTable' | 'alertsTopicArn' | 'cooldownMinutes' | 'language' | 'staleMinutes'>;
  documents: DynamoDBDocumentClient;
  /** Needed only when config.alertsTopicArn is set. */
  sns?: () => SNSClient;
  log: HandlerLog;
  now?: () => Date;
}

export interface AlertOutcome {
  symbol: string;
  signal: SignalKind;
  timestamp: string;
  outcome: 'alerted' | 'already_recorded' | 'cooldown' | 'stale';
}

const MINUTE_MS = 60_000;
/** Alert records outlive the quotes a little: long enough for `stockpipe alerts` and cooldown. */
const ALERT_TTL_DAYS = 90;

export class AlertPublisher {
  private readonly deps: AlertDeps;
  private sns: SNSClient | undefined;

  constructor(deps: AlertDeps) {
    this.deps = deps;
  }

  async handle(
    symbol: string,
    signals: readonly Signal[],
    points: ReadonlyMap<string, NewPoint>,
    firstNew: string,
  ): Promise<AlertOutcome[]> {
    const { config } = this.deps;
    const cooldownMs = config.cooldownMinutes * MINUTE_MS;
    const recorded = await this.recentAlerts(symbol, new Date(Date.parse(firstNew) - cooldownMs).toISOString());
    const cooldown = new Cooldown(cooldownMs);
    for (const record of recorded.values()) cooldown.remember(record.signal, record.timestamp);
    const outcomes: AlertOutcome[] = [];
    for (const signal of signals) {
      const base = { symbol, signal: signal.signal, timestamp: signal.timestamp };
      const key = alertKey(signal.timestamp, signal.signal);
      if (recorded.has(key)) {
        outcomes.push({ ...base, outcome: 'already_recorded' });
        continue;
      }
      const point = points.get(signal.timestamp);
      if (point && this.isStale(point)) {
        outcomes.push({ ...base, outcome: 'stale' });
        continue;
      }
      if (cooldown.isCoolingDown(signal.signal, signal.timestamp)) {
        outcomes.push({ ...base, outcome: 'cooldown' });
        continue;
      }
      await this.alert(symbol, signal);
      cooldown.remember(signal.signal, signal.timestamp);
      outcomes.push({ ...base, outcome: 'alerted' });
    }
    return outcomes;
  }

  /** Stale: ingested more than STALE_MINUTES after it was observed; replayed history never is. 0 turns the check off. */
  private isStale(point: NewPoint): boolean {
    const { staleMinutes } = this.deps.config;
    if (staleMinutes === 0 || point.source === 'replay' || !point.ingested_at) return false;
    return Date.parse(point.ingested_at) - Date.parse(point.timestamp) > staleMinutes * MINUTE_MS;
  }

  /** Alerts of this symbol from `since` on (cooldown window and anything this batch may repeat). */
  private async recentAlerts(symbol: string, since: string): Promise<Map<string, AlertRecord>> {
    const records = new Map<string, AlertRecord>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.deps.documents.send(
        new QueryCommand({
          TableName: this.deps.config.alertsTable,
          KeyConditionExpression: '#symbol = :symbol AND alert_key >= :since',
          ExpressionAttributeNames: { '#symbol': 'symbol', '#timestamp': 'timestamp', '#signal': 'signal' },
          ExpressionAttributeValues: { ':symbol': symbol, ':since': since },
          ProjectionExpression: 'alert_key, #signal, #timestamp',
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of output.Items ?? []) records.set(String(item.alert_key), item as AlertRecord);
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  private async alert(symbol: string, signal: Signal): Promise<void> {
    const { config } = this.deps;
    const now = (this.deps.now ?? (() => new Date()))();
    const { subject, message } = alertText(
      {
        symbol,
        signal: signal.signal,
        strategy: signal.strategy,
        price: signal.price,
        timestamp: signal.timestamp,
        indicators: signal.indicators,
      },
      config.language,
    );
    let messageId: string | undefined;
    if (config.alertsTopicArn) {
      this.sns ??= this.deps.sns?.();
      if (!this.sns) throw new Error('ALERTS_TOPIC_ARN is set but no SNS client was provided');
      const output = await this.sns.send(
        new PublishCommand({
          TopicArn: config.alertsTopicArn,
          Subject: subject,
          Message: message,
          MessageAttributes: {
            symbol: { DataType: 'String', StringValue: symbol },
            signal: { DataType: 'String', StringValue: signal.signal },
          },
        }),
      );
      messageId = output.MessageId;
    }
    const record: AlertRecord = {
      symbol,
      alert_key: alertKey(signal.timestamp, signal.signal),
      signal: signal.signal,
      strategy: signal.strategy,
      timestamp: signal.timestamp,
      price: signal.price,
      indicators: signal.indicators,
      message,
      subject,
      language: config.language,
      published_at: now.toISOString(),
      ...(messageId ? { message_id: messageId } : {}),
      expires_at: Math.floor(now.getTime() / 1000) + ALERT_TTL_DAYS * 86_400,
    };
    try {
      await this.deps.documents.send(
        new PutCommand({
          TableName: config.alertsTable,
          Item: record,
          ConditionExpression: 'attribute_not_exists(alert_key)',
        }),
      );
    } catch (error) {
      // Recorded by an earlier attempt that we did not see: nothing more to do.
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
    // Not `timestamp`: Powertools reserves that key (the log line's own time) and would drop it.
    this.deps.log.info('alert', {
      symbol,
      signal: signal.signal,
      strategy: signal.strategy,
      observed_at: signal.timestamp,
      published: Boolean(messageId),
    });
  }
}
