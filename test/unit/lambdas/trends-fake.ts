/**
 * An in-memory stand-in for the two tables, wired into aws-sdk-client-mock: Query (key
 * condition on the sort key, direction, Limit), conditional Put, and an SNS mock that records
 * what would be e-mailed.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { AlertRecord } from '../../../src/core/tables.ts';

export const QUOTES = 'stockpipe-quotes';
export const ALERTS = 'stockpipe-alerts';

export function fakeTables() {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const sns = new SNSClient({ region: 'us-east-1' });
  const ddb = mockClient(documents);
  const snsMock = mockClient(sns);
  const quotes: Record<string, unknown>[] = [];
  const alerts = new Map<string, AlertRecord>();
  const published: { Subject: string; Message: string; symbol: string; signal: string }[] = [];
  let publishFailures = 0;
  let queries = 0;

  ddb.on(QueryCommand).callsFake((input) => {
    const values = input.ExpressionAttributeValues;
    if (input.TableName === QUOTES) {
      queries++;
      const rows = quotes
        .filter((q) => q.symbol === values[':symbol'] && String(q.timestamp) <= values[':last'])
        .sort((a, b) => (String(a.timestamp) < String(b.timestamp) ? -1 : 1));
      if (input.ScanIndexForward === false) rows.reverse();
      const from = input.ExclusiveStartKey
        ? rows.findIndex((row) => row.timestamp === input.ExclusiveStartKey.timestamp) + 1
        : 0;
      const limit = input.Limit ?? rows.length;
      const page = rows.slice(from, from + limit);
      const more = from + limit < rows.length;
      const lastRow = page[page.length - 1];
      return {
        Items: page,
        ...(more && lastRow ? { LastEvaluatedKey: { symbol: lastRow.symbol, timestamp: lastRow.timestamp } } : {}),
      };
    }
    const rows = [...alerts.values()].filter((a) => a.symbol === values[':symbol'] && a.alert_key >= values[':since']);
    return { Items: rows };
  });
  ddb.on(PutCommand).callsFake((input) => {
    const item = input.Item as AlertRecord;
    const key = `${item.symbol}|${item.alert_key}`;
    if (alerts.has(key)) {
      throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
    }
    alerts.set(key, item);
    return {};
  });
  snsMock.on(PublishCommand).callsFake((input) => {
    if (publishFailures > 0) {
      publishFailures--;
      throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    }
    published.push({
      Subject: input.Subject,
      Message: input.Message,
      symbol: input.MessageAttributes.symbol.StringValue,
      signal: input.MessageAttributes.signal.StringValue,
    });
    return { MessageId: `m-${published.length}` };
  });

  return {
    documents,
    sns,
    snsMock,
    quotes,
    alerts,
    published,
    /** Queries of the quotes table so far. */
    quoteQueries: () => queries,
    failNextPublishes(n: number) {
      publishFailures = n;
    },
  };
}
