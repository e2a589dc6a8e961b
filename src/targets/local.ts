/**
 * The local target: the embedded stack on loopback (kinesalite, dynalite, s3rver), DuckDB over the
 * lake, the local runner's log files, and the local graph. Its clients refuse every service the
 * stack does not have, so nothing here can reach real AWS.
 */
import { bucketNames, pipelineNames } from '../core/names.ts';
import { PipelineNotFoundError } from '../errors.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../local/constants.ts';
import { functionLogFile, localPaths } from '../local/paths.ts';
import { localTargetClients } from '../local/target.ts';
import type { Target, TargetOptions } from './target.ts';

export function localTarget(cwd: string, options: TargetOptions = {}): Target {
  const clients = localTargetClients(cwd, { mayCreateStack: options.createsPipeline === true });
  return {
    flags: ' --target local',
    clients,
    noEmail: '--email has no meaning offline: local alerts go to .stockpipe/local/logs/alerts.log',
    async hasPipeline(pipeline) {
      const { readLocalPipeline } = await import('../local/pipelines.ts');
      return readLocalPipeline(cwd, pipeline) !== undefined;
    },
    async pipeline() {
      const [{ localIdentity, localPipelineGraph }, { readLocalPipeline }, { settingsFromTrendsEnv }] =
        await Promise.all([
          import('../local/graph.ts'),
          import('../local/pipelines.ts'),
          import('../pipeline/deployed.ts'),
        ]);
      return {
        // Offline there may be no network: feed it with the synthetic market, not Yahoo.
        feedCommand: 'stream --source synthetic --symbol AAPL',
        graph: localPipelineGraph({ cwd }),
        identity: async () => localIdentity(),
        // The records the ingest function took in the hour, from the same summaries as where they
        // went (below), so the two add up; a redriven record is counted each time it comes back,
        // as Kinesis' IncomingRecords counts it on AWS.
        recordsLastHour: async (ctx, now) => {
          const { ingestSummaries, readLogSince } = await import('../logs/ingest-summaries.ts');
          const since = now.getTime() - 3_600_000;
          const file = functionLogFile(localPaths(cwd), ctx.names.ingestFunction);
          const { stored, quarantined, superseded } = ingestSummaries(await readLogSince(file, since), since);
          return stored + quarantined + superseded;
        },
        // The ingest function's summaries in its log file, as CloudWatch sums its metrics on AWS.
        ingestedLastHour: async (ctx, now) => {
          const { ingestSummaries, readLogSince } = await import('../logs/ingest-summaries.ts');
          const since = now.getTime() - 3_600_000;
          const file = functionLogFile(localPaths(cwd), ctx.names.ingestFunction);
          return ingestSummaries(await readLogSince(file, since), since);
        },
        // The trends function's "strategy failed" lines in its log file, as CloudWatch sums its metric on AWS.
        strategyErrorsLastHour: async (ctx, now) => {
          const [{ readLogSince }, { strategyErrorsSince }] = await Promise.all([
            import('../logs/ingest-summaries.ts'),
            import('../logs/strategy-errors.ts'),
          ]);
          const since = now.getTime() - 3_600_000;
          const file = functionLogFile(localPaths(cwd), ctx.names.trendsFunction);
          return strategyErrorsSince(await readLogSince(file, since), since);
        },
        // The local runner's own iterator age, from the daemon.
        backlog: async (ctx) => {
          const { ingest, trends } = await runnerFunctions(cwd, ctx.name);
          return { ingestMs: ingest?.iteratorAgeMs ?? null, trendsMs: trends?.iteratorAgeMs ?? null };
        },
        // The registry holds the trends environment the local runner starts the function with.
        deployedSettings: async (ctx) => {
          const pipeline = readLocalPipeline(cwd, ctx.name);
          return pipeline ? settingsFromTrendsEnv(pipeline.trendsEnv) : undefined;
        },
      };
    },
    async pipelineProgress(pipeline) {
      const { ingest, trends } = await runnerFunctions(cwd, pipeline);
      if (!ingest) return undefined;
      return { ingestRead: ingest.recordsRead, trendsPending: trends?.pendingStreamRecords ?? 0 };
    },
    async queryRunner(pipeline) {
      // DuckDB reads the lake straight from s3rver's folder.
      const { DuckDbQueryRunner } = await import('../query/duckdb.ts');
      return new DuckDbQueryRunner({
        s3Directory: localPaths(cwd).s3Dir,
        bucket: bucketNames(pipeline, LOCAL_ACCOUNT, LOCAL_REGION).raw,
      });
    },
    async logSource(pipeline, functions) {
      // The local runner writes each function's output to a JSON-lines file.
      const [{ LocalFileLogSource }, { readLocalPipeline }] = await Promise.all([
        import('../logs/local-files.ts'),
        import('../local/pipelines.ts'),
      ]);
      // No files yet is normal for a new pipeline; no pipeline at all is not.
      if (!readLocalPipeline(cwd, pipeline))
        throw new PipelineNotFoundError(`pipeline ${pipeline} does not exist offline`);
      const names = pipelineNames(pipeline);
      const paths = localPaths(cwd);
      return new LocalFileLogSource(
        functions.map((fn) => {
          const functionName = fn === 'ingest' ? names.ingestFunction : names.trendsFunction;
          return { fn, group: functionName, path: functionLogFile(paths, functionName) };
        }),
      );
    },
    // No CloudWatch offline: nothing to arm.
    armNoDataAlarm: async () => async () => undefined,
    async afterCleanup() {
      // The local stack runs while a pipeline exists: the last cleanup stops it and removes its folder.
      const { stopIdleLocalStack } = await import('../local/idle.ts');
      return (await stopIdleLocalStack(cwd))
        ? 'Local stack stopped and .stockpipe/local removed: no pipeline left.'
        : undefined;
    },
  };
}

/** The local runner's view of a pipeline's two functions (undefined when the daemon has none). */
async function runnerFunctions(cwd: string, pipeline: string) {
  const { localStackStatus } = await import('../local/stack.ts');
  const functions = (await localStackStatus(cwd)).daemon?.pipelines.find((p) => p.name === pipeline)?.functions;
  const names = pipelineNames(pipeline);
  return {
    ingest: functions?.find((fn) => fn.function === names.ingestFunction),
    trends: functions?.find((fn) => fn.function === names.trendsFunction),
  };
}
