/**
 * The raw tables' projection ranges, sized to the data (src/core/lake.ts), with injected clocks —
 * never today's date.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  glueProjectionRange,
  projectedValues,
  projectionRangeStart,
  projectionStart,
  RAW_BY_DATE,
  RAW_BY_MONTH,
  RAW_FOLDERS,
  rawFolderOf,
  startsNeededFor,
} from '../../../src/core/lake.ts';

const at = (iso: string) => new Date(iso);

describe('where a raw table’s projection starts', () => {
  it('an empty folder starts at the clock’s day (month), not 1970', () => {
    const now = at('2026-11-22T10:00:00.000Z');
    assert.equal(projectionStart(RAW_BY_DATE, undefined, now), '2026-11-22');
    assert.equal(projectionStart(RAW_BY_MONTH, undefined, now), '2026-11');
    assert.equal(glueProjectionRange(RAW_BY_DATE, '2026-11-22'), '2026-11-22,NOW+1DAYS');
    assert.equal(glueProjectionRange(RAW_BY_MONTH, '2026-11'), '2026-11,NOW');
  });

  it('a folder holding older partitions starts at the oldest one, never later than today', () => {
    const now = at('2026-11-22T10:00:00.000Z');
    assert.equal(projectionStart(RAW_BY_DATE, '2026-10-02', now), '2026-10-02');
    assert.equal(projectionStart(RAW_BY_MONTH, '2015-01', now), '2015-01');
    // A record dated in the future (a clock ahead): today still starts the range.
    assert.equal(projectionStart(RAW_BY_DATE, '2026-11-23', now), '2026-11-22');
  });

  it('reads the start of our own ranges, and nothing else', () => {
    assert.equal(projectionRangeStart(RAW_BY_DATE, '2026-11-20,NOW+1DAYS'), '2026-11-20');
    assert.equal(projectionRangeStart(RAW_BY_MONTH, '1970-01,NOW'), '1970-01');
    assert.equal(projectionRangeStart(RAW_BY_MONTH, '2026-11-20,NOW'), undefined);
    assert.equal(projectionRangeStart(RAW_BY_DATE, undefined), undefined);
    assert.equal(projectionRangeStart(RAW_BY_DATE, 'NOW-3DAYS,NOW'), undefined);
  });
});

describe('what older records need', () => {
  const now = at('2026-11-22T10:00:00.000Z');

  it('fresh records (yesterday, today) need the dated table from their date', () => {
    assert.deepEqual(startsNeededFor('2026-11-21T23:59:00.000Z', now), new Map([[RAW_BY_DATE, '2026-11-21']]));
    assert.deepEqual(startsNeededFor('2026-11-22T09:00:00.000Z', now), new Map([[RAW_BY_DATE, '2026-11-22']]));
  });

  it('history needs the monthly table from its month, and the dated one from yesterday', () => {
    assert.deepEqual(
      startsNeededFor('2015-01-02T20:00:00.000Z', now),
      new Map([
        [RAW_BY_MONTH, '2015-01'],
        [RAW_BY_DATE, '2026-11-21'],
      ]),
    );
  });

  it('agrees with where ingest writes a record: every record’s partition is covered', () => {
    for (const timestamp of ['2015-01-02T20:00:00.000Z', '2026-11-20T23:59:59.999Z', '2026-11-21T00:00:00.000Z']) {
      const needs = startsNeededFor(timestamp, now);
      const [prefix, value] = rawFolderOf(timestamp, now).split('=') as [string, string];
      const folder = RAW_FOLDERS.find((candidate) => prefix === `${candidate.prefix}/${candidate.partition}`);
      assert.ok(folder && (needs.get(folder) ?? '') <= value, `${timestamp} → ${prefix}=${value}`);
    }
  });
});

describe('a pipeline a day old projects few partitions, no more than half of them empty', () => {
  it('set up yesterday on an empty lake, fed live since: 4 projected, 2 holding data', () => {
    const setupAt = at('2026-11-21T09:00:00.000Z');
    const now = at('2026-11-22T15:00:00.000Z');
    const starts = RAW_FOLDERS.map((folder) => projectionStart(folder, undefined, setupAt));
    const projected = RAW_FOLDERS.map((folder, i) => projectedValues(folder, starts[i] as string, now));
    assert.deepEqual(projected, [['2026-11-21', '2026-11-22', '2026-11-23'], ['2026-11']]);
    // Live records are written by their date: yesterday's and today's partitions hold them.
    const used = new Set(
      ['2026-11-21T14:30:00.000Z', '2026-11-22T14:30:00.000Z'].map((timestamp) =>
        rawFolderOf(timestamp, at(timestamp)),
      ),
    );
    assert.deepEqual([...used], ['raw/dt=2026-11-21', 'raw/dt=2026-11-22']);
    const all = projected.flat().length;
    assert.equal(all, 4);
    assert.ok(all - used.size <= all / 2, `${all - used.size} of ${all} projected partitions are empty`);
  });

  it('the 1970 ranges it replaces projected over 20,000 partitions for the same pipeline', () => {
    const now = at('2026-11-22T15:00:00.000Z');
    assert.equal(projectedValues(RAW_BY_DATE, '1970-01-01', now).length, 20_781);
    assert.equal(projectedValues(RAW_BY_MONTH, '1970-01', now).length, 683);
  });

  it('grows one partition a day (month) with the clock, from a fixed start', () => {
    assert.equal(projectedValues(RAW_BY_DATE, '2026-11-21', at('2026-12-31T00:00:00.000Z')).length, 42);
    assert.deepEqual(projectedValues(RAW_BY_MONTH, '2026-11', at('2027-01-01T00:00:00.000Z')), [
      '2026-11',
      '2026-12',
      '2027-01',
    ]);
  });
});
