/**
 * Memory returns after a burst of large records (issue 24: 60 records of 1 MiB left the daemon
 * ~250 MB bigger a minute later). The daemon's RSS, read from /proc once it has settled, must come
 * back within 50 MB of it after the burst has been ingested — the garbage of the burst collected in
 * every thread, and the buffers it freed handed back to the system. Linux only (/proc).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { pipelineNames } from '../../../src/core/names.ts';
import { localAwsClients } from '../../../src/local/clients.ts';
import { ensureLocalStack, localStackStatus } from '../../../src/local/stack.ts';
import { runCli } from '../../helpers/cli.ts';
import { stockEvent } from '../../helpers/lambda-events.ts';
import { removeStackFolder } from '../../helpers/stack-folder.ts';
import { waitFor, waitUntil } from '../../helpers/wait.ts';

const MB = 1024 * 1024;
const LARGE_RECORDS = 60;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
}

const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-memory-'));
after(() => removeStackFolder(cwd));

describe('the daemon after a burst of large records', {
  skip: existsSync('/proc/self/status') ? false : 'reads RSS from /proc (Linux)',
}, () => {
  it('returns within 50 MB of its settled RSS once the burst is ingested', async () => {
    const stack = await ensureLocalStack(cwd);
    const setup = await runCli(['setup', '--target', 'local'], { cwd });
    assert.equal(setup.code, 0, setup.stderr);
    const pid = stack.state.pid;

    // Settled: five readings a second apart within 4 MB of each other.
    const readings: number[] = [];
    const settled = await waitFor(
      () => {
        readings.push(rssMb(pid));
        const last = readings.slice(-5);
        return last.length === 5 && Math.max(...last) - Math.min(...last) < 4 ? Math.max(...last) : undefined;
      },
      'the daemon to settle',
      { intervalMs: 1000, timeoutMs: 60_000 },
    );

    const clients = localAwsClients(stack.endpoints);
    try {
      const kinesis = await clients.get('kinesis');
      const large = Buffer.from(JSON.stringify({ symbol: 'AAPL', pad: 'x'.repeat(MB - 64) }));
      for (let i = 0; i < LARGE_RECORDS; i++) {
        const good = stockEvent({
          symbol: 'AAPL',
          timestamp: new Date(Date.UTC(2016, 0, 1) + i * 86_400_000).toISOString(),
        });
        await kinesis.send(
          new PutRecordsCommand({
            StreamName: pipelineNames('stockpipe').stream,
            Records: [
              { PartitionKey: 'AAPL', Data: large },
              { PartitionKey: 'AAPL', Data: Buffer.from(JSON.stringify(good)) },
            ],
          }),
        );
      }
    } finally {
      await clients.destroy();
    }
    await waitUntil(
      async () => {
        const status = await localStackStatus(cwd);
        const ingest = status.daemon?.pipelines[0]?.functions.find((f) => f.function.endsWith('-ingest'));
        return (ingest?.recordsRead ?? 0) >= 2 * LARGE_RECORDS || `ingest read ${ingest?.recordsRead ?? 0}`;
      },
      'the burst to be ingested',
      { timeoutMs: 120_000 },
    );
    await waitUntil(
      () => rssMb(pid) <= settled + 50 || `RSS ${rssMb(pid).toFixed(0)} MB, settled at ${settled.toFixed(0)} MB`,
      'the daemon to hand the burst back',
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
  });
});
