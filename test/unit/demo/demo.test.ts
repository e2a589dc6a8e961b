import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { malformedRecords } from '../../../src/commands/demo/malformed.ts';
import { ingestSummaries, percentiles, supersededCount } from '../../../src/commands/demo/measure.ts';
import { DEMO_DEFAULTS, parseDemoFlags } from '../../../src/commands/demo/options.ts';
import { readRecord } from '../../../src/core/ingest-reader.ts';
import { UsageError } from '../../../src/errors.ts';
import { runCli } from '../../helpers/cli.ts';

describe('demo options', () => {
  it('defaults to a minute of four symbols', () => {
    const options = parseDemoFlags({});
    assert.equal(options.durationMs, 60_000);
    assert.deepEqual(options.symbols, [...DEMO_DEFAULTS.symbols]);
    assert.equal(options.keep, false);
  });

  it('normalises symbols and refuses bad values with a usage error', () => {
    assert.deepEqual(parseDemoFlags({ symbol: ['aapl', 'AAPL', 'brk-b'] }).symbols, ['AAPL', 'BRK-B']);
    for (const flags of [
      { duration: '2s' },
      { duration: '1h' },
      { duration: 'soon' },
      { interval: '1ms' },
      { symbol: ['not a symbol'] },
      { seed: '-1' },
      { malformed: '1.5' },
      { malformed: '5000' },
    ]) {
      assert.throws(() => parseDemoFlags(flags), UsageError, JSON.stringify(flags));
    }
  });

  it('bad input exits 2 with one line and starts nothing', async () => {
    for (const argv of [
      ['demo', '--duration', '-5s'],
      ['demo', '--symbol', ''],
      ['demo', '--target', 'aws'],
    ]) {
      const { code, stderr } = await runCli(argv, { cwd: '/nonexistent-stockpipe-dir' });
      assert.equal(code, 2, `${argv.join(' ')}: ${stderr}`);
      assert.equal(stderr.trim().split('\n').length, 1);
    }
  });
});

describe('demo malformed records', () => {
  it('each is rejected by the validator for the reason it names', () => {
    const records = malformedRecords(12, 'AAPL', new Date('2026-11-22T10:00:00.000Z'));
    assert.equal(records.length, 12);
    assert.equal(new Set(records.map((record) => record.data)).size, 12, 'every record is unique');
    for (const record of records) {
      const result = readRecord(record.data);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.reason, record.kind, record.data);
    }
  });
});

describe('demo superseded count', () => {
  it('adds the summaries’ in-batch count to what DynamoDB overwrote across batches, since the demo started', () => {
    const since = Date.parse('2026-11-22T14:00:00.000Z');
    const log = [
      JSON.stringify({ timestamp: '2026-11-22T13:59:59.000Z', message: 'batch stored', stored: 50, superseded: 9 }),
      JSON.stringify({ timestamp: '2026-11-22T14:00:01.000Z', message: 'batch stored', stored: 10, superseded: 1 }),
      '{"level":"INFO","message":"platform.report"}',
      'not json "superseded"',
      JSON.stringify({
        timestamp: '2026-11-22T14:00:02.000Z',
        message: 'batch stored',
        stored: 5,
        quarantined: 2,
        superseded: 0,
      }),
    ].join('\n');
    const summaries = ingestSummaries(log, since);
    assert.deepEqual(summaries, { stored: 15, quarantined: 2, superseded: 1 });
    // 15 stored, but one of them overwrote an earlier item: 14 quotes.
    assert.equal(supersededCount(summaries, 14), 2);
    assert.equal(supersededCount(summaries, 15), 1);
  });
});

describe('demo percentiles', () => {
  it('are nearest-rank values of the sample', () => {
    assert.deepEqual(percentiles([]), { p50: null, p99: null, max: null, count: 0 });
    assert.deepEqual(percentiles([5]), { p50: 5, p99: 5, max: 5, count: 1 });
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.deepEqual(percentiles(hundred), { p50: 50, p99: 99, max: 100, count: 100 });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1 }), (values) => {
        const { p50, p99, max } = percentiles(values);
        assert.ok(values.includes(p50 as number) && values.includes(p99 as number));
        assert.ok((p50 as number) <= (p99 as number) && (p99 as number) <= (max as number));
        assert.equal(max, Math.max(...values));
      }),
    );
  });
});
