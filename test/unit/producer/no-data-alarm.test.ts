import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloudWatchClient, DisableAlarmActionsCommand, EnableAlarmActionsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { armNoDataAlarm } from '../../../src/producer/no-data-alarm.ts';

describe('the no-incoming-data alarm while streaming', () => {
  it('is armed when the stream starts and disarmed when it stops', async () => {
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch.on(EnableAlarmActionsCommand).resolves({}).on(DisableAlarmActionsCommand).resolves({});
    const client = new CloudWatchClient({ region: 'us-east-1' });
    const disarm = await armNoDataAlarm({ get: async () => client }, 'p-no-incoming-data', () => undefined);
    assert.deepEqual(cloudwatch.commandCalls(EnableAlarmActionsCommand)[0]?.args[0].input, {
      AlarmNames: ['p-no-incoming-data'],
    });
    assert.equal(cloudwatch.commandCalls(DisableAlarmActionsCommand).length, 0);
    await disarm();
    assert.deepEqual(cloudwatch.commandCalls(DisableAlarmActionsCommand)[0]?.args[0].input, {
      AlarmNames: ['p-no-incoming-data'],
    });
    cloudwatch.restore();
  });

  it('never stops the stream: no CloudWatch (local target) or no permission is a debug line', async () => {
    const lines: string[] = [];
    const offline = await armNoDataAlarm(
      { get: async () => Promise.reject(new Error('cloudwatch does not exist in the local target')) },
      'p-no-incoming-data',
      (line) => lines.push(line),
    );
    await offline();
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch
      .on(EnableAlarmActionsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    const denied = await armNoDataAlarm(
      { get: async () => new CloudWatchClient({ region: 'us-east-1' }) },
      'p-no-incoming-data',
      (line) => lines.push(line),
    );
    await denied();
    assert.equal(cloudwatch.commandCalls(DisableAlarmActionsCommand).length, 0, 'nothing to disarm');
    assert.deepEqual(
      lines.map((line) => line.replace(/:.*/, '')),
      ['alarm p-no-incoming-data not armed', 'alarm p-no-incoming-data not armed'],
    );
    cloudwatch.restore();
  });
});
