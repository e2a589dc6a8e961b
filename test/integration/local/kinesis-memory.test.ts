import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { localPaths } from '../../../src/local/paths.ts';
import { ensureLocalStack, stopLocalStack } from '../../../src/local/stack.ts';
import { removeStackFolder } from '../../helpers/stack-folder.ts';
import { waitFor } from '../../helpers/wait.ts';
import { createFixturePipeline, lines, putQuotes, writeFixtureLoader } from './fixtures.ts';

// Where leveldown has no binary, kinesalite runs in memory: the stack drains the stream before it
// stops and recreates the registered streams when it starts, so nothing acknowledged is lost.
const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-kmem-'));
after(() => removeStackFolder(cwd));

describe('in-memory Kinesis fallback', () => {
  it('drains what the stream holds before stopping, and recreates the stream on start', async () => {
    const paths = localPaths(cwd);
    const seenFile = join(cwd, 'seen.ndjson');
    const loader = writeFixtureLoader(cwd);
    const first = await ensureLocalStack(cwd, { kinesisInMemory: true });
    assert.equal(first.state.kinesisPersistent, false);
    await createFixturePipeline(cwd, { shards: 1, seenFile, loader, batchingWindowMs: 800 });
    const quotes = Array.from({ length: 30 }, (_, i) => ({
      symbol: 'X',
      timestamp: `t${String(i).padStart(2, '0')}`,
      price: i + 1,
    }));
    await putQuotes(cwd, quotes);
    // Stop at once: the records may not even have been read yet.
    await stopLocalStack(cwd);
    assert.equal(lines(seenFile).length, 30, 'every record ingested before the stack went down');
    assert.equal(lines(paths.alertsLog).length, 30, 'and every INSERT delivered to trends');

    const second = await ensureLocalStack(cwd, { kinesisInMemory: true });
    assert.equal(second.started, true);
    await putQuotes(cwd, [{ symbol: 'X', timestamp: 't99', price: 99 }]);
    await waitFor(() => lines(paths.alertsLog).length === 31, 'the record put after the restart');
    assert.equal(lines(seenFile).length, 31);
  });
});
