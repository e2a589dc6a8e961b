import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ingestSummaries, readLogSince } from '../../../src/logs/ingest-summaries.ts';

const dir = mkdtempSync(join(tmpdir(), 'stockpipe-ingest-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A local ingest log: a summary and a platform line every minute for three hours from `start`. */
function writeLog(start: number): string {
  const lines: string[] = [];
  for (let minute = 0; minute < 180; minute++) {
    const at = new Date(start + minute * 60_000).toISOString();
    lines.push(JSON.stringify({ time: at, type: 'platform.start', record: { requestId: `r${minute}` } }));
    lines.push(
      JSON.stringify({
        level: 'INFO',
        message: 'batch stored',
        timestamp: at,
        stored: 10,
        quarantined: 1,
        superseded: 2,
      }),
    );
  }
  const file = join(dir, `ingest-${start}.log`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('the ingest log over the last hour (local status)', () => {
  const start = Date.UTC(2026, 10, 22, 12);
  const since = start + 120 * 60_000; // the last 60 of 180 minutes

  it('sums the summaries logged since, reading back from the end in small chunks', async () => {
    const file = writeLog(start);
    const text = await readLogSince(file, since, 256);
    assert.deepEqual(ingestSummaries(text, since), { stored: 600, quarantined: 60, superseded: 120 });
    assert.ok(text.length < 20_000, `read ${text.length} bytes: stops soon after the hour's first line`);
  });

  it('the same text and sums whatever the chunk size, even when a chunk begins inside a multi-byte character', async () => {
    const file = writeLog(start);
    for (const chunkBytes of [7, 13, 64, 101, 1 << 20]) {
      const text = await readLogSince(file, since, chunkBytes);
      assert.ok(!text.includes('\uFFFD'), `chunks of ${chunkBytes} bytes: the text is decoded whole`);
      assert.deepEqual(
        ingestSummaries(text, since),
        { stored: 600, quarantined: 60, superseded: 120 },
        `chunks of ${chunkBytes} bytes`,
      );
      // Read back to the start: exactly the file, the first chunk not overlapping the second.
      assert.equal(await readLogSince(file, start - 1, chunkBytes), readFileSync(file, 'utf8'));
    }
  });

  it('reads the whole file when it all falls in the hour, and nothing when there is no file', async () => {
    const file = writeLog(start);
    assert.deepEqual(ingestSummaries(await readLogSince(file, start - 1, 100), start - 1), {
      stored: 1800,
      quarantined: 180,
      superseded: 360,
    });
    assert.equal(await readLogSince(join(dir, 'missing.log'), since), '');
  });
});
