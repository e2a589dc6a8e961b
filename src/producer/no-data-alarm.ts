/**
 * The pipeline's "no incoming data" alarm only means something while data is expected, so setup
 * creates it with its actions off and `stream` switches them on for as long as it runs. Arming
 * never stops the stream: offline there is no CloudWatch, and an identity may lack the permission.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { errorMessage } from '../errors.ts';

interface CloudWatchSource {
  get(service: 'cloudwatch'): Promise<CloudWatchClient>;
}

/** Enables the alarm's actions; resolves to the function that disables them again. */
export async function armNoDataAlarm(
  clients: CloudWatchSource,
  alarmName: string,
  debug: (line: string) => void,
): Promise<() => Promise<void>> {
  let cloudwatch: CloudWatchClient;
  try {
    cloudwatch = await clients.get('cloudwatch');
    const { EnableAlarmActionsCommand } = await import('@aws-sdk/client-cloudwatch');
    await cloudwatch.send(new EnableAlarmActionsCommand({ AlarmNames: [alarmName] }));
  } catch (error) {
    debug(`alarm ${alarmName} not armed: ${errorMessage(error)}`);
    return async () => undefined;
  }
  debug(`alarm ${alarmName} armed while streaming`);
  return async () => {
    try {
      const { DisableAlarmActionsCommand } = await import('@aws-sdk/client-cloudwatch');
      await cloudwatch.send(new DisableAlarmActionsCommand({ AlarmNames: [alarmName] }));
    } catch (error) {
      debug(`alarm ${alarmName} not disarmed: ${errorMessage(error)}`);
    }
  };
}
