import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { pipelineNames } from '../../src/core/names.ts';
import { runCli } from '../helpers/cli.ts';
import { type Moto, motoSkipReason, startMoto } from '../helpers/moto.ts';

// setup leaves the no-incoming-data alarm's actions off; stream arms it while it runs.
describe('stream arms the no-incoming-data alarm while it runs', { skip: motoSkipReason() }, () => {
  let moto: Moto;
  const names = pipelineNames('armed');
  before(async () => {
    moto = await startMoto();
    const clients = moto.clients();
    const kinesis = await clients.get('kinesis');
    await kinesis.send(new CreateStreamCommand({ StreamName: names.stream, ShardCount: 1 }));
    await waitUntilStreamExists(
      { client: kinesis, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 },
      { StreamName: names.stream },
    );
    await (await clients.get('cloudwatch')).send(
      new PutMetricAlarmCommand({
        AlarmName: names.alarms.noIncomingData,
        Namespace: 'AWS/Kinesis',
        MetricName: 'IncomingRecords',
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        // On at the start, so 'off afterwards' can only come from the stream disarming it.
        ActionsEnabled: true,
      }),
    );
    await clients.destroy();
  });
  after(async () => {
    await moto.stop();
  });

  it('enables the actions while streaming and disables them when it stops', async () => {
    const argv = [
      'stream',
      '--name',
      'armed',
      '--source',
      'synthetic',
      '--symbol',
      'AAPL',
      '--count',
      '5',
      '--interval',
      '0',
    ];
    const { code, stderr } = await runCli([...argv, '--verbose'], {
      env: moto.env,
      cwd: mkdtempSync(join(tmpdir(), 'sp-')),
    });
    assert.equal(code, 0, stderr);
    assert.match(stderr, /alarm armed-no-incoming-data armed while streaming/);
    const clients = moto.clients();
    const { MetricAlarms } = await (await clients.get('cloudwatch')).send(
      new DescribeAlarmsCommand({ AlarmNames: [names.alarms.noIncomingData] }),
    );
    assert.equal(MetricAlarms?.[0]?.ActionsEnabled, false, 'disarmed again after the stream stopped');
    await clients.destroy();
  });
});
