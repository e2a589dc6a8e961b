/** CloudWatch alarms that notify the alerts topic. */
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { arns } from '../arns.ts';
import { canonicalJson, tagList } from '../aws-helpers.ts';
import type { AlarmId } from '../node-ids.ts';
import { type Change, missing, type Observation, type ResourceContext, type ResourceNode } from '../types.ts';

type AlarmDefinition = Omit<PutMetricAlarmCommandInput, 'AlarmName' | 'AlarmActions' | 'Tags'>;

export interface AlarmOptions {
  id: AlarmId;
  name: string;
  definition: AlarmDefinition;
  /**
   * The alarm's actions are switched on and off by someone else (the no-data alarm: `stockpipe
   * stream` enables its actions while it streams), so setup leaves ActionsEnabled alone.
   */
  actionsManagedElsewhere?: boolean;
}

const COMPARED = [
  'AlarmDescription',
  'Namespace',
  'MetricName',
  'Statistic',
  'Period',
  'EvaluationPeriods',
  'Threshold',
  'ComparisonOperator',
  'TreatMissingData',
] as const;

function differences(
  current: MetricAlarm,
  wanted: PutMetricAlarmCommandInput,
  compareActionsEnabled: boolean,
): Change[] {
  const changes = COMPARED.filter((key) => current[key] !== wanted[key]).map(
    (key): Change =>
      key === 'AlarmDescription'
        ? { field: 'description' }
        : { field: key, from: current[key], to: String(wanted[key]) },
  );
  const dims = (list: { Name?: string | undefined; Value?: string | undefined }[] | undefined) =>
    canonicalJson((list ?? []).map((d) => `${d.Name}=${d.Value}`).sort());
  if (dims(current.Dimensions) !== dims(wanted.Dimensions)) changes.push({ field: 'dimensions' });
  if (canonicalJson(current.AlarmActions ?? []) !== canonicalJson(wanted.AlarmActions ?? []))
    changes.push({ field: 'actions' });
  if (compareActionsEnabled && current.ActionsEnabled !== (wanted.ActionsEnabled ?? true))
    changes.push({ field: 'actionsEnabled' });
  return changes;
}

export function alarmNode(options: AlarmOptions, topicName: string): ResourceNode {
  const { id, name, definition, actionsManagedElsewhere } = options;
  const wanted = (ctx: ResourceContext): PutMetricAlarmCommandInput => ({
    AlarmName: name,
    ...definition,
    AlarmActions: [arns.topic(ctx, topicName)],
  });
  return {
    id,
    kind: 'CloudWatch alarm',
    name,
    dependsOn: ['alerts-topic'],
    // A standard-resolution metric alarm.
    idleMonthlyUsd: 0.1,
    async describe(ctx): Promise<Observation> {
      const cloudwatch = await ctx.clients.get('cloudwatch');
      const result = await cloudwatch.send(
        new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm'] }),
      );
      const alarm = result.MetricAlarms?.find((candidate) => candidate.AlarmName === name);
      if (!alarm) return missing();
      const firing = alarm.StateValue === 'ALARM' && alarm.ActionsEnabled !== false;
      return {
        presence: firing ? 'degraded' : 'present',
        arn: alarm.AlarmArn ?? arns.alarm(ctx, name),
        changes: ctx.spec ? differences(alarm, wanted(ctx), !actionsManagedElsewhere) : [],
        notes: [{ note: 'state', state: alarm.StateValue ?? 'unknown', actionsOff: alarm.ActionsEnabled === false }],
      };
    },
    async ensure(ctx, observed) {
      const cloudwatch = await ctx.clients.get('cloudwatch');
      // PutMetricAlarm creates or replaces; keep ActionsEnabled as it is when someone else owns it.
      let actionsEnabled = definition.ActionsEnabled ?? true;
      if (actionsManagedElsewhere && observed.presence !== 'missing') {
        const result = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
        actionsEnabled = result.MetricAlarms?.[0]?.ActionsEnabled ?? actionsEnabled;
      }
      await cloudwatch.send(
        new PutMetricAlarmCommand({ ...wanted(ctx), ActionsEnabled: actionsEnabled, Tags: tagList(ctx.tags) }),
      );
      return { action: observed.presence === 'missing' ? 'created' : 'updated', arn: arns.alarm(ctx, name) };
    },
    async destroy(ctx) {
      const cloudwatch = await ctx.clients.get('cloudwatch');
      const result = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
      if (!result.MetricAlarms?.some((alarm) => alarm.AlarmName === name)) return 'absent';
      await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
      return 'deleted';
    },
  };
}
