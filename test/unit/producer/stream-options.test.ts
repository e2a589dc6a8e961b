import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseStreamOptions } from '../../../src/commands/stream/options.ts';
import { UsageError } from '../../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'stockpipe-options-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'bars.csv'), 'Date,Close\n2016-01-04,1\n');
writeFileSync(join(dir, 'bad.csv'), 'when,value\n');
writeFileSync(join(dir, 'events.ndjson'), '');
writeFileSync(join(dir, 'watchlist.txt'), '# tech\naapl, msft\nGOOGL  AAPL\n\n');

describe('parseStreamOptions', () => {
  it('defaults: yahoo every 30 s, synthetic every second with seed 42', () => {
    assert.deepEqual(parseStreamOptions({ symbol: ['AAPL'] }, dir), {
      source: 'yahoo',
      symbols: ['AAPL'],
      intervalMs: 30_000,
      dryRun: false,
    });
    const synthetic = parseStreamOptions({ symbol: ['AAPL'], source: 'synthetic' }, dir);
    assert.equal(synthetic.intervalMs, 1000);
    assert.deepEqual(synthetic.synthetic, { seed: 42, drift: 'flat', volatilityPct: 0.3, spikeEvery: 0, spikePct: 6 });
  });

  it('merges --symbol and --symbols-file, upper-cased and de-duplicated', () => {
    const options = parseStreamOptions({ symbol: ['aapl', 'IBM'], symbolsFile: 'watchlist.txt' }, dir);
    assert.deepEqual(options.symbols, ['AAPL', 'IBM', 'MSFT', 'GOOGL']);
  });

  it('reads limits and synthetic settings', () => {
    const options = parseStreamOptions(
      {
        symbol: ['AAPL'],
        source: 'synthetic',
        interval: '500ms',
        count: 40,
        duration: '1h30m',
        seed: '7',
        drift: 'UP',
        volatility: '1.5',
        basePrice: '100',
        spikeEvery: '60',
        spikeSize: '8%',
      },
      dir,
    );
    assert.equal(options.intervalMs, 500);
    assert.equal(options.count, 40);
    assert.equal(options.durationMs, 5_400_000);
    assert.deepEqual(options.synthetic, {
      seed: 7,
      drift: 'up',
      volatilityPct: 1.5,
      basePrice: 100,
      spikeEvery: 60,
      spikePct: 8,
    });
    assert.equal(parseStreamOptions({ symbol: ['A'], interval: '0' }, dir).intervalMs, 0);
  });

  it('reads replay files and speeds', () => {
    const csv = parseStreamOptions({ symbol: ['AAPL'], source: 'replay', file: 'bars.csv' }, dir);
    const sortLimitBytes = 64 * 1024 * 1024;
    assert.deepEqual(csv.replay, { file: join(dir, 'bars.csv'), format: 'csv', speed: 'max', sortLimitBytes });
    assert.equal(csv.intervalMs, 0);
    const ndjson = parseStreamOptions({ source: 'replay', file: 'events.ndjson', speed: '60x', sortLimit: '1kb' }, dir);
    assert.deepEqual(ndjson.replay, {
      file: join(dir, 'events.ndjson'),
      format: 'ndjson',
      speed: 60,
      sortLimitBytes: 1024,
    });
    assert.deepEqual(ndjson.symbols, []);
  });

  it('refuses flags that do not fit the source, and a CSV without the columns it needs', () => {
    const refuses = (flags: Parameters<typeof parseStreamOptions>[0], message: RegExp) =>
      assert.throws(
        () => parseStreamOptions(flags, dir),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      );
    refuses({ symbol: ['A'], file: 'bars.csv' }, /--file applies to --source replay only/);
    refuses(
      { symbol: ['A'], source: 'replay', file: 'bars.csv', interval: '1s' },
      /--interval does not apply to a replay/,
    );
    refuses({ symbol: ['A'], source: 'replay', file: 'bad.csv' }, /header needs a date or timestamp column/);
    refuses({ symbol: ['A'], source: 'replay', file: '.' }, /is not a file/);
    refuses({ symbol: ['A'], source: 'synthetic', volatility: '-1' }, /invalid --volatility/);
    refuses({ symbol: ['A'], source: 'synthetic', seed: '1.5' }, /invalid --seed/);
    refuses({ symbol: ['A'], duration: '0' }, /invalid --duration '0'/);
  });
});
