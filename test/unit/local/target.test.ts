import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ServiceName } from '../../../src/aws/clients.ts';
import { StockpipeError } from '../../../src/errors.ts';
import { writeStackState } from '../../../src/local/state.ts';
import { LOCAL_SERVICES, localTargetClients } from '../../../src/local/target.ts';
import { runCli } from '../../helpers/cli.ts';

describe('local target clients', () => {
  it('refuse every AWS-only service with what stands in for it, starting nothing', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-target-'));
    const clients = localTargetClients(cwd);
    const awsOnly: ServiceName[] = ['iam', 'lambda', 'sns', 'glue', 'athena', 'logs', 'cloudwatch', 'sts'];
    for (const service of awsOnly) {
      await assert.rejects(clients.get(service), (error: Error) => {
        assert.ok(error instanceof StockpipeError);
        assert.match(error.message, new RegExp(`^${service} does not exist in the local target; it is replaced by`));
        return true;
      });
    }
    assert.deepEqual([...LOCAL_SERVICES].sort(), ['dynamodb', 'kinesis', 's3']);
    assert.equal(existsSync(join(cwd, '.stockpipe')), false, 'no stack was started');
  });
});

describe('a local stack that is gone (issue 16: `stream` retried a dead stack for 10 minutes)', () => {
  it('is named as such, and stream stops at once with its summary', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-dead-'));
    try {
      // A state file naming a live process (this one) and ports nobody listens on: the daemon died
      // and its ports were freed.
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const endpoint = `http://127.0.0.1:${port}`;
      writeStackState(cwd, {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        ports: { kinesis: port, dynamodb: port, dynalite: port, s3: port, control: port },
        endpoints: {
          kinesis: endpoint,
          dynamodb: endpoint,
          s3: endpoint,
          credentials: { accessKeyId: 'LKIA0', secretAccessKey: 'x' },
        },
        control: endpoint,
        kinesisPersistent: true,
        handlerLoader: null,
      });
      const result = await runCli(
        ['stream', '--target', 'local', '--source', 'synthetic', '--symbol', 'AAPL', '--interval', '0'],
        { cwd },
      );
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^error: the local stack is not running \(its endpoint refused the connection\)/m);
      assert.doesNotMatch(result.stderr, /check your network/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('a sink that gives up ends the producer with a summary, not a bare error', async () => {
    const { Producer } = await import('../../../src/producer/producer.ts');
    const { createSyntheticSource, SYNTHETIC_DEFAULTS } = await import('../../../src/producer/synthetic.ts');
    let added = 0;
    const gone = new StockpipeError('the local stack is not running');
    const summary = await new Producer({
      source: createSyntheticSource({ ...SYNTHETIC_DEFAULTS, symbols: ['A'] }),
      sink: {
        async add() {
          added++;
          if (added > 10) throw gone;
        },
        async flush() {},
        stats: () => ({ sent: 10, failed: 0, retried: 0 }),
      },
      intervalMs: 0,
    }).start();
    assert.equal(summary.reason, 'sink-failed');
    assert.equal(summary.error, gone);
    assert.equal(summary.produced, 11);
  });
});
