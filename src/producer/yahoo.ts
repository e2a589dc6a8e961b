/**
 * Yahoo Finance through yahoo-finance2 v4: one `quote([...symbols])` request per interval.
 * Polite by construction: an unchanged `regularMarketTime` is the same observation and is not
 * resent; 429s, crumb and network failures back off exponentially with jitter while the loop goes
 * on; a schema-validation failure from the library never ends the loop (its raw result is used).
 */
import { randomUUID } from 'node:crypto';
import type { StockEvent } from '../core/event.ts';
import { SYMBOL_PATTERN } from '../core/event.ts';
import { deriveChange } from '../core/metrics.ts';
import { producerBackoffMs } from './clock.ts';
import type { EventSource, Poll, Reporter } from './types.ts';

/** The quote fields we read (all optional, as the library types them); Date when validated. */
export interface YahooQuote {
  symbol: string;
  regularMarketTime?: Date | number | string | null;
  regularMarketPrice?: number | null;
  regularMarketOpen?: number | null;
  regularMarketDayHigh?: number | null;
  regularMarketDayLow?: number | null;
  regularMarketPreviousClose?: number | null;
  regularMarketChange?: number | null;
  regularMarketChangePercent?: number | null;
  regularMarketVolume?: number | null;
  currency?: string | null;
  marketState?: string | null;
}

/** One request for all symbols; rejects the way yahoo-finance2 does. */
export type QuoteFunction = (symbols: string[]) => Promise<YahooQuote[]>;

export interface YahooOptions {
  symbols: string[];
  report: Reporter;
  /** Injected in tests; the real library otherwise. */
  quote?: QuoteFunction;
  /** The real library with this fetch (tests replay recorded HTTP responses through it). */
  fetch?: typeof fetch;
  /** First backoff after a failure (doubles up to maxBackoffMs). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  newId?: () => string;
}

export function createYahooSource(options: YahooOptions): EventSource {
  const quote = options.quote ?? libraryQuote(options.report, options.fetch);
  const newId = options.newId ?? randomUUID;
  const baseBackoff = options.baseBackoffMs ?? 2000;
  const maxBackoff = options.maxBackoffMs ?? 5 * 60_000;
  const lastTime = new Map<string, number>();
  const saidClosed = new Set<string>();
  const saidMissing = new Set<string>();
  let failures = 0;
  let saidOffline = false;

  const once = (said: Set<string>, symbol: string, line: string) => {
    if (said.has(symbol)) return;
    said.add(symbol);
    options.report(line);
  };

  return {
    name: 'yahoo',
    async poll(): Promise<Poll> {
      let quotes: YahooQuote[];
      try {
        quotes = await quote(options.symbols);
      } catch (error) {
        const raw = validationResult(error);
        if (!raw) {
          const delayMs = producerBackoffMs(failures, baseBackoff, maxBackoff, options.random);
          failures++;
          const described = describeYahooError(error);
          if (!saidOffline && described.startsWith('network error')) {
            saidOffline = true;
            options.report(
              'yahoo: Yahoo Finance cannot be reached; --source synthetic streams a simulated market offline',
            );
          }
          options.report(`yahoo: ${described}; retrying in ${Math.round(delayMs / 1000)}s (attempt ${failures})`);
          return { events: [], delayMs };
        }
        // Yahoo changed a field's shape: the library's schema said no, the data is still usable.
        options.report(`yahoo: the response did not match yahoo-finance2's schema; using it as is`);
        quotes = raw;
      }
      if (failures > 0) options.report(`yahoo: recovered after ${failures} failed request${failures === 1 ? '' : 's'}`);
      failures = 0;

      const bySymbol = new Map(quotes.filter((q) => q && typeof q.symbol === 'string').map((q) => [q.symbol, q]));
      const events: StockEvent[] = [];
      for (const symbol of options.symbols) {
        const q = bySymbol.get(symbol);
        const time = q ? toMillis(q.regularMarketTime) : undefined;
        const price = q ? positive(q.regularMarketPrice) : null;
        if (!q || time === undefined || price === null) {
          once(
            saidMissing,
            symbol,
            `yahoo: no usable quote for ${symbol} (unknown symbol, or no price/time yet); skipping it until one arrives`,
          );
          continue;
        }
        saidMissing.delete(symbol);
        if (lastTime.get(symbol) === time) {
          once(
            saidClosed,
            symbol,
            `yahoo: ${symbol} has not traded since ${new Date(time).toISOString()}: its market looks closed; not resending`,
          );
          continue;
        }
        saidClosed.delete(symbol);
        lastTime.set(symbol, time);
        events.push(toEvent(q, symbol, time, price, newId()));
      }
      return { events };
    },
  };
}

export function toEvent(q: YahooQuote, symbol: string, time: number, price: number, eventId: string): StockEvent {
  const previousClose = positive(q.regularMarketPreviousClose);
  const volume = finite(q.regularMarketVolume);
  return {
    event_id: eventId,
    symbol,
    timestamp: new Date(time).toISOString(),
    price,
    open: positive(q.regularMarketOpen),
    high: positive(q.regularMarketDayHigh),
    low: positive(q.regularMarketDayLow),
    previous_close: previousClose,
    ...deriveChange(price, previousClose),
    volume: volume !== null && volume >= 0 ? Math.round(volume) : null,
    currency: typeof q.currency === 'string' ? q.currency : null,
    market_state: typeof q.marketState === 'string' ? q.marketState : null,
    source: 'yahoo',
  };
}

/** Date (validated), epoch seconds (raw), or an ISO string; undefined when absent or unreadable. */
function toMillis(value: YahooQuote['regularMarketTime']): number | undefined {
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  if (typeof value === 'string') {
    const time = Date.parse(value);
    return Number.isFinite(time) ? time : undefined;
  }
  return undefined;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function positive(value: unknown): number | null {
  const number = finite(value);
  return number !== null && number > 0 ? number : null;
}

/** The unvalidated quotes carried by yahoo-finance2's FailedYahooValidationError. */
function validationResult(error: unknown): YahooQuote[] | undefined {
  if (!(error instanceof Error) || error.name !== 'FailedYahooValidationError') return undefined;
  const result = (error as Error & { result?: unknown }).result;
  if (Array.isArray(result)) return result as YahooQuote[];
  return undefined;
}

/** One short phrase for stderr: what went wrong with the request. */
export function describeYahooError(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: unknown; cause?: { code?: string } };
  const message = (e?.message ?? String(error)).split('\n')[0]?.trim() ?? '';
  if (e?.code === 429 || /too many requests/i.test(message)) return '429 Too Many Requests (rate limited)';
  if (/crumb|cookie|consent/i.test(message)) return `could not get a Yahoo crumb/cookie (${message})`;
  if (e?.name === 'HTTPError') return `HTTP ${typeof e.code === 'number' ? e.code : 'error'}: ${message}`;
  if (e?.cause?.code) return `network error (${e.cause.code})`;
  if (e?.name === 'TypeError' && /fetch failed/i.test(message)) return 'network error (fetch failed)';
  return message || 'request failed';
}

/** The real library, imported on first use (it is heavy and only the yahoo source needs it). */
function libraryQuote(report: Reporter, fetchImpl?: typeof fetch): QuoteFunction {
  let client: Promise<{ quote: (symbols: string[], query: object, module: object) => Promise<unknown> }> | undefined;
  const debug = (...args: unknown[]) => void args;
  return async (symbols) => {
    client ??= import('yahoo-finance2').then(
      ({ default: YahooFinance }) =>
        new YahooFinance({
          suppressNotices: ['yahooSurvey'],
          versionCheck: false,
          // The library logs to the console; we report failures ourselves, once and briefly.
          logger: {
            info: debug,
            debug,
            dir: debug,
            warn: (...a: unknown[]) => report(`yahoo: ${a.join(' ')}`),
            error: debug,
          },
          validation: { logErrors: false },
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        }) as never,
    );
    const yahoo = await client;
    const result = await yahoo.quote(symbols, { return: 'array' }, { validateResult: true });
    return (Array.isArray(result) ? result : []).filter((q: { symbol?: unknown }) =>
      SYMBOL_PATTERN.test(String(q?.symbol)),
    ) as YahooQuote[];
  };
}
