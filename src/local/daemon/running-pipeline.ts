/**
 * Everything the daemon runs for one registered pipeline: the ingest function on the Kinesis
 * stream, the trends function on the quotes table's INSERT stream, and the alert log.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { pipelineNames } from '../../core/names.ts';
import { LAMBDA_DEFINITIONS } from '../../packaging/lambda-definition.ts';
import { MAPPING_BATCH_SIZES } from '../../pipeline/resources/mapping.ts';
import { LOCAL_REGION } from '../constants.ts';
import { failureFile, functionLogFile, type LocalPaths, safeFileName } from '../paths.ts';
import type { LocalPipeline } from '../pipelines.ts';
import type { RunnerCounters } from '../runner/counters.ts';
import { type FailureDestination, localMappingId, S3FailureDestination } from '../runner/failures.ts';
import { KinesisRunner, kinesisStreamArn } from '../runner/kinesis-runner.ts';
import { type HandlerKind, LambdaHost } from '../runner/lambda-host.ts';
import { type MappingConfig, mappingConfig } from '../runner/mapping.ts';
import { TableStreamLog, tableStreamArn, tableStreamFile } from '../runner/table-stream.ts';
import { TableStreamRunner } from '../runner/table-stream-runner.ts';
import type { LocalEndpoints } from '../state.ts';
import { plainItem } from './dynamodb-json.ts';
import type { NewItemWrite } from './dynamodb-proxy.ts';

export interface RuntimeContext {
  paths: LocalPaths;
  endpoints: LocalEndpoints;
  kinesis: KinesisClient;
  handlerLoader: string | null;
  /** Set when Kinesis lives in memory: this start's identity, so old positions are void. */
  kinesisIncarnation?: string;
}

export interface FunctionStatus extends RunnerCounters {
  function: string;
  source: string;
  shards?: number;
  /** INSERT records waiting in the table stream (trends only). */
  pendingStreamRecords?: number;
  /** Warm execution environments (worker threads) of the function. */
  sandboxes: number;
}

/** One local pipeline running in the daemon: its two functions' hosts and the runners that feed them. */
export class RunningPipeline {
  readonly pipeline: LocalPipeline;
  readonly quotesLog: TableStreamLog;
  private readonly context: RuntimeContext;
  private readonly hosts: LambdaHost[] = [];
  private readonly ingest: KinesisRunner;
  private readonly trends: TableStreamRunner;
  private readonly controller = new AbortController();
  private readonly starting: Promise<void>[] = [];
  private s3: S3Client | undefined;

  constructor(pipeline: LocalPipeline, context: RuntimeContext) {
    this.pipeline = pipeline;
    this.context = context;
    const { paths } = context;
    const names = pipelineNames(pipeline.name);
    this.quotesLog = new TableStreamLog(paths, pipeline.quotesTable);
    const ingestHost = this.host(names.ingestFunction, 'ingest', pipeline.ingestEnv, pipeline.ingestMapping);
    const trendsHost = this.host(names.trendsFunction, 'trends', pipeline.trendsEnv, pipeline.trendsMapping);
    this.ingest = new KinesisRunner({
      kinesis: context.kinesis,
      streamName: pipeline.stream,
      invoker: ingestHost,
      config: mappingConfig({ batchSize: MAPPING_BATCH_SIZES.ingest, ...pipeline.ingestMapping }),
      paths,
      failureDestination: this.failureDestination(names.ingestFunction, kinesisStreamArn(pipeline.stream)),
      roleName: names.ingestRole,
      ...(context.kinesisIncarnation ? { incarnation: context.kinesisIncarnation } : {}),
    });
    this.trends = new TableStreamRunner({
      log: this.quotesLog,
      invoker: trendsHost,
      config: mappingConfig({ batchSize: MAPPING_BATCH_SIZES.trends, ...pipeline.trendsMapping }),
      paths,
      failureDestination: this.failureDestination(names.trendsFunction, tableStreamArn(pipeline.quotesTable)),
    });
  }

  /** Both mappings' on-failure destination is the raw bucket (s3rver), as setup makes it on AWS. */
  private failureDestination(functionName: string, sourceArn: string): FailureDestination {
    const { paths, endpoints } = this.context;
    this.s3 ??= new S3Client({
      endpoint: endpoints.s3,
      region: LOCAL_REGION,
      credentials: endpoints.credentials,
      forcePathStyle: true,
    });
    return new S3FailureDestination({
      s3: this.s3,
      bucket: this.pipeline.rawBucket,
      mappingId: localMappingId(functionName, sourceArn),
      fallbackFile: failureFile(paths, functionName),
    });
  }

  start(): void {
    this.starting.push(this.startWhenLoaded(this.hosts[0], this.ingest));
    this.starting.push(this.startWhenLoaded(this.hosts[1], this.trends));
  }

  async stop(options: { drain?: boolean } = {}): Promise<void> {
    if (options.drain) {
      // A drain needs running runners: give handlers that are still loading a moment to load.
      await Promise.race([Promise.all(this.starting), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    }
    this.controller.abort();
    await Promise.all(this.starting);
    await Promise.all([this.ingest.stop(options)]);
    // New quotes may have arrived while ingest drained: let trends take them too.
    await this.trends.stop(options);
    await Promise.all(this.hosts.map((host) => host.close()));
    this.s3?.destroy();
  }

  /** Forget the derived stream and the positions: the pipeline's resources are gone. */
  forgetState(): void {
    const { paths } = this.context;
    const names = pipelineNames(this.pipeline.name);
    rmSync(tableStreamFile(paths, this.pipeline.quotesTable), { force: true });
    for (const fn of [names.ingestFunction, names.trendsFunction]) {
      rmSync(join(paths.checkpointsDir, `${safeFileName(fn)}.json`), { force: true });
    }
  }

  /** Called by the DynamoDB proxy with new items of this pipeline's tables. */
  observe(table: string): ((items: NewItemWrite[]) => void) | undefined {
    if (table === this.pipeline.quotesTable) {
      return (items) => {
        this.quotesLog.appendInserts(
          items.map((item) => ({ keys: item.keys as never, newImage: item.newImage as never })),
        );
      };
    }
    if (table === this.pipeline.alertsTable) {
      return (items) => {
        const { alertsLog } = this.context.paths;
        mkdirSync(dirname(alertsLog), { recursive: true });
        const lines = items.map((item) =>
          JSON.stringify({ pipeline: this.pipeline.name, ...plainItem(item.newImage) }),
        );
        appendFileSync(alertsLog, lines.map((line) => `${line}\n`).join(''));
      };
    }
    return undefined;
  }

  status(): {
    name: string;
    stream: string;
    quotesTable: string;
    alertsTable: string;
    rawBucket: string;
    functions: FunctionStatus[];
  } {
    const names = pipelineNames(this.pipeline.name);
    return {
      name: this.pipeline.name,
      stream: this.pipeline.stream,
      quotesTable: this.pipeline.quotesTable,
      alertsTable: this.pipeline.alertsTable,
      rawBucket: this.pipeline.rawBucket,
      functions: [
        {
          function: names.ingestFunction,
          source: `kinesis:${this.pipeline.stream}`,
          shards: this.ingest.shardCount,
          sandboxes: this.hosts[0]?.sandboxes ?? 0,
          ...this.ingest.counters,
        },
        {
          function: names.trendsFunction,
          source: `dynamodb-stream:${this.pipeline.quotesTable}`,
          pendingStreamRecords: this.quotesLog.pending,
          sandboxes: this.hosts[1]?.sandboxes ?? 0,
          ...this.trends.counters,
        },
      ],
    };
  }

  private get handlerLoader(): string | null {
    return this.pipeline.handlerLoader ?? this.context.handlerLoader;
  }

  private host(functionName: string, kind: HandlerKind, env: Record<string, string>, mapping?: Partial<MappingConfig>) {
    const { endpoints, paths } = this.context;
    const handlerLoader = this.handlerLoader;
    const host = new LambdaHost({
      functionName,
      kind,
      loaderModule: handlerLoader ?? '',
      ...(kind === 'trends' && this.pipeline.trendsCode ? { codeZip: this.pipeline.trendsCode } : {}),
      definition: LAMBDA_DEFINITIONS[kind],
      env: {
        ...env,
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: endpoints.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: endpoints.credentials.secretAccessKey,
        AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
        AWS_ENDPOINT_URL_S3: endpoints.s3,
        STOCKPIPE_TARGET: 'local',
      },
      logFile: functionLogFile(paths, functionName),
      // The definition's timeout unless a test shortens it through the mapping settings.
      ...(mapping?.functionTimeoutMs ? { timeoutMs: mapping.functionTimeoutMs } : {}),
    });
    this.hosts.push(host);
    return host;
  }

  /** The runner starts once its handler loads; until then records wait in their source. */
  private async startWhenLoaded(host: LambdaHost | undefined, runner: { start(): void; counters: RunnerCounters }) {
    if (!host) return;
    const { signal } = this.controller;
    while (!signal.aborted) {
      if (!this.handlerLoader) {
        runner.counters.waitingFor = 'no handler loader configured';
        return;
      }
      try {
        await host.load();
        runner.counters.waitingFor = null;
        if (!signal.aborted) runner.start();
        return;
      } catch (error) {
        const { errorType, errorMessage } = error as { errorType?: string; errorMessage?: string };
        runner.counters.waitingFor = `handler did not load (${errorType ?? 'Error'}: ${errorMessage ?? String(error)}); retrying`;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 3000);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    }
  }
}
