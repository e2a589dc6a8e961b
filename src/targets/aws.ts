/** The AWS target: the standard credential chain and region, CloudWatch, Athena, the AWS graph. */
import { AwsClients } from '../aws/clients.ts';
import { pipelineNames } from '../core/names.ts';
import type { Settings } from '../settings/resolve.ts';
import type { Target, TargetPipeline } from './target.ts';

/** `clients`: the target's clients (default: from the settings and the environment; tests bring their own). */
export function awsTarget(
  settings: Settings,
  env: Record<string, string | undefined>,
  clients = new AwsClients({
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.profile ? { profile: settings.profile } : {}),
    env,
  }),
): Target {
  return {
    flags: '',
    clients,
    pipeline: () => awsTargetPipeline(clients),
    async queryRunner(pipeline) {
      const { AthenaQueryRunner } = await import('../query/athena.ts');
      const names = pipelineNames(pipeline);
      return new AthenaQueryRunner(await clients.get('athena'), {
        workgroup: names.workgroup,
        database: names.glueDatabase,
      });
    },
    async coverLake(pipeline, oldest) {
      const [{ coverStoredRecords, widenProjection }, { startsNeededFor }] = await Promise.all([
        import('../pipeline/lake-range.ts'),
        import('../core/lake.ts'),
      ]);
      const names = pipelineNames(pipeline);
      const deps = {
        glue: await clients.get('glue'),
        s3: await clients.get('s3'),
        database: names.glueDatabase,
        names,
      };
      const widened =
        oldest === undefined
          ? await coverStoredRecords(deps)
          : await widenProjection(deps, startsNeededFor(oldest, new Date()));
      const records = oldest === undefined ? 'records stored before it' : 'the records about to be sent';
      return widened.map(
        ({ table, from, to }) =>
          `${table}: partition projection widened from ${from} to ${to}, so Athena sees ${records}`,
      );
    },
    async logSource(pipeline, functions, onMissing) {
      const { CloudWatchLogSource } = await import('../logs/cloudwatch.ts');
      const names = pipelineNames(pipeline);
      const groups = functions.map((fn) => ({
        fn,
        group: fn === 'ingest' ? names.ingestLogGroup : names.trendsLogGroup,
      }));
      return new CloudWatchLogSource(await clients.get('logs'), groups, onMissing);
    },
    async armNoDataAlarm(pipeline, debug) {
      // Only where the stream's own CloudWatch is: with Kinesis alone pointed at an emulator, a real
      // alarm of the same name is none of this run's business.
      if (clients.endpointOverride('kinesis') !== clients.endpointOverride('cloudwatch')) return async () => undefined;
      const { armNoDataAlarm } = await import('../producer/no-data-alarm.ts');
      return armNoDataAlarm(clients, pipelineNames(pipeline).alarms.noIncomingData, debug);
    },
    afterCleanup: async () => undefined,
  };
}

/** The pipeline on AWS: the AWS graph, STS's identity, CloudWatch's metrics, the deployed settings. */
export async function awsTargetPipeline(clients: AwsClients): Promise<TargetPipeline> {
  const [{ awsPipelineGraph }, { callerIdentity }, { readDeployedSettings }, activity] = await Promise.all([
    import('../pipeline/aws-graph.ts'),
    import('../pipeline/run.ts'),
    import('../pipeline/deployed.ts'),
    import('../pipeline/aws-activity.ts'),
  ]);
  return {
    feedCommand: 'stream --symbol AAPL',
    graph: awsPipelineGraph,
    identity: () => callerIdentity(clients),
    recordsLastHour: activity.incomingRecordsLastHour,
    ingestedLastHour: activity.ingestMetricsLastHour,
    strategyErrorsLastHour: activity.strategyErrorsMetric,
    backlog: activity.iteratorAges,
    deployedSettings: readDeployedSettings,
  };
}
