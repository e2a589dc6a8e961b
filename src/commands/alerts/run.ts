/**
 * `stockpipe alerts`: the alert records the trends function wrote, newest first. `--since` is
 * measured against published_at (when the alert went out), not the point's own timestamp.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertRecord } from '../../core/tables.ts';
import { StockpipeError } from '../../errors.ts';
import { type IO, terminalWidth } from '../../ui/io.ts';
import { type PipelineAddress, suggest } from '../shared/pipeline-flags.ts';
import { parseSinceTime } from '../shared/since.ts';
import { parseSymbol } from '../shared/symbol.ts';
import type { AlertsFlags } from './command.ts';

export interface AlertsPlan {
  since: number;
  symbol?: string;
  limit?: number;
}

export interface AlertsDeps {
  io: IO;
  alertsTable: string;
  /** The pipeline, for the "run setup" hint. */
  pipeline: PipelineAddress;
  documentClient: () => Promise<DynamoDBDocumentClient>;
}

export const DEFAULT_ALERTS_SINCE = '1d';

/** The flags, --limit already a whole number ≥ 1 (its spec). */
export function planAlerts(options: AlertsFlags, now: number): AlertsPlan {
  const symbol = options.symbol === undefined ? undefined : parseSymbol(options.symbol);
  const limit = options.limit;
  return {
    since: parseSinceTime(options.since ?? DEFAULT_ALERTS_SINCE, now),
    ...(symbol ? { symbol } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

/** Every alert published at or after `since` (one symbol's partition, or a scan of the table). */
export async function readAlerts(
  client: DynamoDBDocumentClient,
  table: string,
  plan: Pick<AlertsPlan, 'since' | 'symbol'>,
): Promise<AlertRecord[]> {
  const { paginateQuery, paginateScan } = await import('@aws-sdk/lib-dynamodb');
  const since = new Date(plan.since).toISOString();
  const filter = {
    FilterExpression: '#published >= :since',
    ExpressionAttributeNames: { '#published': 'published_at' } as Record<string, string>,
    ExpressionAttributeValues: { ':since': since } as Record<string, unknown>,
  };
  const pages = plan.symbol
    ? paginateQuery(
        { client },
        {
          TableName: table,
          KeyConditionExpression: '#symbol = :symbol',
          ...filter,
          ExpressionAttributeNames: { ...filter.ExpressionAttributeNames, '#symbol': 'symbol' },
          ExpressionAttributeValues: { ...filter.ExpressionAttributeValues, ':symbol': plan.symbol },
        },
      )
    : paginateScan({ client }, { TableName: table, ...filter });
  const records: AlertRecord[] = [];
  for await (const page of pages) records.push(...((page.Items ?? []) as AlertRecord[]));
  return records.sort((a, b) => b.published_at.localeCompare(a.published_at) || b.timestamp.localeCompare(a.timestamp));
}

export async function runAlerts(plan: AlertsPlan, deps: AlertsDeps): Promise<number> {
  const { io } = deps;
  let records: AlertRecord[];
  try {
    records = await readAlerts(await deps.documentClient(), deps.alertsTable, plan);
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      throw new StockpipeError(
        `the alerts table ${deps.alertsTable} does not exist: run \`${suggest(deps.pipeline, 'setup')}\` first`,
      );
    }
    throw error;
  }
  if (plan.limit !== undefined) records = records.slice(0, plan.limit);

  if (io.json) {
    io.outJson(records);
    return 0;
  }
  const since = new Date(plan.since).toISOString();
  if (records.length === 0) {
    io.err(`no alerts published since ${since}${plan.symbol ? ` for ${plan.symbol}` : ''}`);
    return 0;
  }
  const { renderTable } = await import('../../ui/table.ts');
  io.out(
    renderTable(
      [
        { name: 'published', numeric: false },
        { name: 'symbol', numeric: false },
        {
          name: 'signal',
          numeric: false,
          tone: (value) => (value === 'BUY' ? 'up' : value === 'SELL' ? 'down' : 'warn'),
        },
        { name: 'strategy', numeric: false },
        { name: 'price', numeric: true },
        { name: 'point time', numeric: false },
        { name: 'reason', numeric: false },
      ],
      records.map((record) => [
        record.published_at,
        record.symbol,
        record.signal,
        record.strategy,
        record.price,
        record.timestamp,
        reasonOf(record.subject ?? ''),
      ]),
      io.style,
      { width: terminalWidth(io) },
    ),
  );
  io.err(io.errStyle.dim(`${records.length} ${records.length === 1 ? 'alert' : 'alerts'} published since ${since}`));
  return 0;
}

/**
 * What the subject says beyond the other columns: "stockpipe BUY AAPL at 187.30: short SMA crossed
 * above long SMA" repeats signal, symbol and price before the colon; the rest is the reason.
 */
export function reasonOf(subject: string): string {
  const match = /^stockpipe [^:]*: (.+)$/.exec(subject);
  return match ? (match[1] as string) : subject;
}
