import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateEvent } from '../../../src/core/event.ts';
import { createYahooSource, describeYahooError, type YahooQuote } from '../../../src/producer/yahoo.ts';
import { fakeYahooFetch, httpError, MARKET_TIME_S, rawEquityQuote, validatedQuote } from './fixtures/yahoo.ts';

const signal = new AbortController().signal;

function source(quote: (symbols: string[]) => Promise<YahooQuote[]>, symbols = ['AAPL', 'MSFT']) {
  const lines: string[] = [];
  let ids = 0;
  const yahoo = createYahooSource({
    symbols,
    quote,
    report: (line) => lines.push(line),
    random: () => 1,
    baseBackoffMs: 1000,
    maxBackoffMs: 8000,
    newId: () => `id-${++ids}`,
  });
  return { yahoo, lines };
}

describe('yahoo source', () => {
  it('maps a quote to the data contract', async () => {
    const requested: string[][] = [];
    const { yahoo } = source(async (symbols) => {
      requested.push(symbols);
      return [validatedQuote('AAPL'), validatedQuote('MSFT', { regularMarketPrice: 401.5 })];
    });
    const { events } = await yahoo.poll(signal);
    assert.deepEqual(requested, [['AAPL', 'MSFT']], 'one request for all symbols');
    assert.deepEqual(events[0], {
      event_id: 'id-1',
      symbol: 'AAPL',
      timestamp: '2025-11-21T14:30:00.000Z',
      price: 187.3,
      open: 185.5,
      high: 188.1,
      low: 184.9,
      previous_close: 185.1,
      change: 2.2,
      change_percent: 1.19,
      volume: 51_234_567,
      currency: 'USD',
      market_state: 'REGULAR',
      source: 'yahoo',
    });
    assert.equal(events[1]?.price, 401.5);
    for (const event of events) assert.ok(validateEvent(event).ok);
  });

  it('turns missing market fields into null', async () => {
    const bare: YahooQuote = {
      symbol: 'AAPL',
      regularMarketTime: new Date(MARKET_TIME_S * 1000),
      regularMarketPrice: 10,
    };
    const { yahoo } = source(async () => [bare], ['AAPL']);
    const [event] = (await yahoo.poll(signal)).events;
    assert.ok(event);
    for (const field of [
      'open',
      'high',
      'low',
      'previous_close',
      'change',
      'change_percent',
      'volume',
      'currency',
      'market_state',
    ] as const) {
      assert.equal(event[field], null, field);
    }
    assert.ok(validateEvent(event).ok);
  });

  it('skips a symbol whose regularMarketTime has not moved, and says so once', async () => {
    let time = MARKET_TIME_S;
    const { yahoo, lines } = source(async () => [
      validatedQuote('AAPL', { regularMarketTime: new Date(time * 1000) }),
      validatedQuote('MSFT'),
    ]);
    assert.equal((await yahoo.poll(signal)).events.length, 2);
    assert.deepEqual((await yahoo.poll(signal)).events, []);
    assert.deepEqual((await yahoo.poll(signal)).events, []);
    assert.equal(lines.filter((line) => /AAPL.*market looks closed/.test(line)).length, 1);
    assert.equal(lines.filter((line) => /MSFT.*market looks closed/.test(line)).length, 1);
    time += 60;
    const moved = (await yahoo.poll(signal)).events;
    assert.deepEqual(
      moved.map((event) => [event.symbol, event.timestamp]),
      [['AAPL', '2025-11-21T14:31:00.000Z']],
    );
  });

  it('backs off exponentially on 429 without ending, then recovers', async () => {
    let call = 0;
    const { yahoo, lines } = source(async () => {
      call++;
      if (call <= 4) throw httpError(429, 'Too Many Requests');
      return [validatedQuote('AAPL'), validatedQuote('MSFT')];
    });
    const delays: (number | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      const poll = await yahoo.poll(signal);
      assert.deepEqual(poll.events, []);
      delays.push(poll.delayMs);
    }
    // random() = 1 takes the top of each jitter range: 1 s, 2 s, 4 s, then the 8 s cap.
    assert.deepEqual(delays, [1000, 2000, 4000, 8000]);
    assert.match(lines[0] ?? '', /429 Too Many Requests.*retrying in 1s \(attempt 1\)/);
    const recovered = await yahoo.poll(signal);
    assert.equal(recovered.events.length, 2);
    assert.equal(recovered.delayMs, undefined);
    assert.ok(lines.some((line) => /recovered after 4 failed requests/.test(line)));
  });

  it('keeps going after crumb and network errors', async () => {
    const errors = [
      new Error("No set-cookie header present in Yahoo's response.  Something must have changed, please report."),
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }),
    ];
    const { yahoo, lines } = source(async () => {
      const error = errors.shift();
      if (error) throw error;
      return [validatedQuote('AAPL')];
    }, ['AAPL']);
    assert.deepEqual((await yahoo.poll(signal)).events, []);
    assert.deepEqual((await yahoo.poll(signal)).events, []);
    assert.equal((await yahoo.poll(signal)).events.length, 1);
    assert.match(lines[0] ?? '', /crumb/);
    assert.match(lines[1] ?? '', /Yahoo Finance cannot be reached; --source synthetic streams a simulated market/);
    assert.match(lines[2] ?? '', /network error \(ECONNRESET\)/);
  });

  it('offline: says once that --source synthetic works without the network', async () => {
    const { yahoo, lines } = source(async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    }, ['AAPL']);
    for (let i = 0; i < 3; i++) await yahoo.poll(signal);
    assert.equal(lines.filter((line) => line.includes('--source synthetic')).length, 1);
    assert.equal(lines.filter((line) => line.includes('network error (ENOTFOUND)')).length, 3);
  });

  it('uses the raw result when the library’s schema validation fails', async () => {
    const failure = Object.assign(new Error('Failed Yahoo Schema validation'), {
      name: 'FailedYahooValidationError',
      result: [rawEquityQuote('AAPL', { newField: { surprise: true } })],
    });
    const { yahoo, lines } = source(async () => {
      throw failure;
    }, ['AAPL']);
    const { events, delayMs } = await yahoo.poll(signal);
    assert.equal(delayMs, undefined);
    assert.equal(events[0]?.timestamp, '2025-11-21T14:30:00.000Z');
    assert.equal(events[0]?.price, 187.3);
    assert.match(lines[0] ?? '', /schema/);
  });

  it('skips a symbol Yahoo returned nothing usable for, saying so once', async () => {
    const { yahoo, lines } = source(async () => [
      validatedQuote('AAPL'),
      validatedQuote('MSFT', { regularMarketPrice: undefined }),
    ]);
    assert.deepEqual(
      (await yahoo.poll(signal)).events.map((event) => event.symbol),
      ['AAPL'],
    );
    await yahoo.poll(signal);
    assert.equal(lines.filter((line) => line.includes('no usable quote for MSFT')).length, 1);
  });

  it('describes the errors people meet in one phrase', () => {
    assert.equal(describeYahooError(httpError(429, 'Too Many Requests')), '429 Too Many Requests (rate limited)');
    assert.equal(describeYahooError(httpError(502, 'Bad Gateway')), 'HTTP 502: Bad Gateway');
  });

  it('works through the real yahoo-finance2 with recorded HTTP responses (no network)', async () => {
    let time = MARKET_TIME_S;
    const yahooHttp = fakeYahooFetch((call) => {
      if (call === 2) return 429;
      if (call === 3) time += 30;
      return [rawEquityQuote('AAPL', { regularMarketTime: time }), rawEquityQuote('MSFT', { regularMarketTime: time })];
    });
    const lines: string[] = [];
    const yahoo = createYahooSource({
      symbols: ['AAPL', 'MSFT'],
      report: (line) => lines.push(line),
      fetch: yahooHttp.fetch,
      baseBackoffMs: 10,
    });
    const first = await yahoo.poll(signal);
    assert.deepEqual(
      first.events.map((event) => [event.symbol, event.timestamp, event.price, event.previous_close]),
      [
        ['AAPL', '2025-11-21T14:30:00.000Z', 187.3, 185.1],
        ['MSFT', '2025-11-21T14:30:00.000Z', 187.3, 185.1],
      ],
    );
    const throttled = await yahoo.poll(signal);
    assert.deepEqual(throttled.events, []);
    assert.ok((throttled.delayMs ?? 0) >= 10);
    assert.match(lines.join('\n'), /429/);
    const next = await yahoo.poll(signal);
    assert.deepEqual(
      next.events.map((event) => event.timestamp),
      ['2025-11-21T14:30:30.000Z', '2025-11-21T14:30:30.000Z'],
    );
    assert.equal(yahooHttp.quoteCalls(), 3);
    assert.ok(yahooHttp.urls.every((url) => url.includes('yahoo.com')));
    assert.ok(yahooHttp.urls.some((url) => url.includes('symbols=AAPL%2CMSFT') || url.includes('symbols=AAPL,MSFT')));
  });
});
