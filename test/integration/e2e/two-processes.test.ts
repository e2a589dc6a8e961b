/**
 * Two processes at once (issue 7): while `stream --source synthetic` runs in one process against
 * the local pipeline, other processes run `query top-movers`, `alerts` and `status` against the
 * same pipeline and succeed with sensible output; then Ctrl+C (SIGINT) ends the stream cleanly
 * (exit 0, its summary printed) and cleanup removes the pipeline and stops the stack.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { localStackStatus } from '../../../src/local/stack.ts';
import { finished, freshWorkdir, pipelineCounters, runBin, runBinOk, spawnCli, waitUntil } from './harness.ts';

const workdir = freshWorkdir('two-processes');
const { cwd } = workdir;
after(() => workdir.dispose());

it('stream in one process; query, alerts and status in others; SIGINT ends the stream', async () => {
  await runBinOk(['setup', '--target', 'local', '--yes'], cwd);
  const stream = spawnCli(
    [
      'stream',
      '--target',
      'local',
      '--source',
      'synthetic',
      '--symbol',
      'AAPL',
      '--symbol',
      'MSFT',
      '--interval',
      '100ms',
      '--seed',
      '42',
    ],
    cwd,
  );
  const streamDone = finished(stream);
  const alertCount = async () => {
    const listed = await runBin(['alerts', '--target', 'local', '--json'], cwd);
    return listed.code === 0 ? (JSON.parse(listed.stdout) as unknown[]).length : 0;
  };
  try {
    // Both symbols have reached DynamoDB through the runner: the stream is live.
    await waitUntil(async () => {
      const { ingest } = await pipelineCounters(cwd);
      return (ingest?.recordsSucceeded ?? 0) >= 20 || `ingested ${ingest?.recordsSucceeded ?? 0}`;
    }, 'the streamed events to be ingested');
    // …and trends has raised at least one alert, so the alerts list below has something to show.
    await waitUntil(async () => {
      const { trends } = await pipelineCounters(cwd);
      return (trends?.recordsSucceeded ?? 0) >= 40 && (await alertCount()) > 0;
    }, 'a first alert');

    // The other processes, all at once, while the stream keeps producing.
    const [topMovers, alerts, status, human] = await Promise.all([
      runBin(['query', 'top-movers', '--target', 'local', '--format', 'json'], cwd),
      runBin(['alerts', '--target', 'local', '--json'], cwd),
      runBin(['status', '--target', 'local', '--json'], cwd),
      runBin(['status', '--target', 'local'], cwd),
    ]);
    assert.equal(topMovers.code, 0, topMovers.stderr);
    const movers = JSON.parse(topMovers.stdout) as { symbol: string; price: number }[];
    assert.ok(movers.length >= 1, 'top-movers has rows');
    assert.ok(movers.every((row) => ['AAPL', 'MSFT'].includes(row.symbol) && Number(row.price) > 0));

    assert.equal(alerts.code, 0, alerts.stderr);
    const records = JSON.parse(alerts.stdout) as { symbol: string; signal: string }[];
    assert.ok(records.length >= 1, 'the alerts list is not empty');
    assert.ok(records.every((record) => ['AAPL', 'MSFT'].includes(record.symbol)));

    assert.equal(status.code, 0, status.stderr);
    const document = JSON.parse(status.stdout) as { healthy: boolean; resources: { presence: string }[] };
    assert.equal(document.healthy, true);
    assert.ok(document.resources.length >= 5, `status lists the pipeline's resources: ${status.stdout}`);
    assert.ok(document.resources.every((resource) => resource.presence === 'present'));

    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout + human.stderr, /Records in the last hour: [1-9]/);

    assert.equal(stream.exitCode, null, 'the stream was still running all along');
  } finally {
    stream.kill('SIGINT');
  }
  const ended = await streamDone;
  assert.equal(ended.code, 0, ended.stderr);
  assert.match(ended.stdout + ended.stderr, /sent [1-9]\d* · failed 0/);

  const cleanup = await runBinOk(['cleanup', '--target', 'local', '--yes'], cwd);
  assert.match(cleanup.stdout + cleanup.stderr, /Local stack stopped/);
  assert.equal((await localStackStatus(cwd)).running, false);
});
