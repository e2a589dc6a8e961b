/**
 * The registry of local pipelines: one JSON file per pipeline under `.stockpipe/local/pipelines/`.
 * Local `setup` writes one, `cleanup` removes it; the daemon serves every file it finds there.
 */
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HANDLER_DEFAULTS, type IngestConfig, ingestEnv, type TrendsConfig, trendsEnv } from '../core/handler-env.ts';
import { bucketNames, pipelineNames } from '../core/names.ts';
import { DEFAULT_CROSSOVER } from '../core/strategies/index.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './constants.ts';
import { readJsonFile, writeJsonAtomic } from './files.ts';
import { localPaths, safeFileName } from './paths.ts';
import type { MappingConfig } from './runner/mapping.ts';

export interface LocalPipeline {
  name: string;
  stream: string;
  quotesTable: string;
  alertsTable: string;
  rawBucket: string;
  /** Environment of the ingest function (src/core/handler-env.ts ingestEnv). */
  ingestEnv: Record<string, string>;
  /** Environment of the trends function (trendsEnv, ALERTS_TOPIC_ARN empty locally). */
  trendsEnv: Record<string, string>;
  /**
   * Module (file URL or absolute path) exporting `lambdaTaskRoot(fn)` (a folder the Handler is
   * loaded from, as the built zips are) or, for test fixtures, `loadLambdaHandler(fn)` (the
   * handler itself); when absent the daemon's default (`--handler-loader`) applies.
   */
  handlerLoader?: string;
  /**
   * The trends function's package when it is not the built one (a zip with the user's strategy,
   * under .stockpipe/local/code): the loader unpacks this zip instead.
   */
  trendsCode?: string;
  /** Overrides of the event source mapping settings (runner/mapping.ts); tests use short windows. */
  ingestMapping?: Partial<MappingConfig>;
  trendsMapping?: Partial<MappingConfig>;
}

function pipelineFile(cwd: string, name: string): string {
  return join(localPaths(cwd).pipelinesDir, `${safeFileName(name)}.json`);
}

export function writeLocalPipeline(cwd: string, pipeline: LocalPipeline): void {
  writeJsonAtomic(pipelineFile(cwd, pipeline.name), pipeline);
}

export function readLocalPipeline(cwd: string, name: string): LocalPipeline | undefined {
  return validPipeline(readJsonFile<LocalPipeline>(pipelineFile(cwd, name)));
}

export function removeLocalPipeline(cwd: string, name: string): boolean {
  const file = pipelineFile(cwd, name);
  const existed = readJsonFile(file) !== undefined;
  rmSync(file, { force: true });
  return existed;
}

/**
 * Whether the pipeline's registry file is there: `gone` only when the file system says it does
 * not exist. A file being rewritten, damaged, or unreadable for a moment is `present` or
 * `unknown`, never a reason to forget the pipeline's state.
 */
export function registryEntry(cwd: string, name: string): 'present' | 'gone' | 'unknown' {
  try {
    lstatSync(pipelineFile(cwd, name));
    return 'present';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unknown';
  }
}

/** Every registered pipeline, by name; unreadable files are skipped. */
export function listLocalPipelines(cwd: string): LocalPipeline[] {
  let files: string[];
  try {
    files = readdirSync(localPaths(cwd).pipelinesDir).filter((file) => file.endsWith('.json'));
  } catch {
    return [];
  }
  return files
    .map((file) => validPipeline(readJsonFile<LocalPipeline>(join(localPaths(cwd).pipelinesDir, file))))
    .filter((pipeline): pipeline is LocalPipeline => pipeline !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function validPipeline(value: LocalPipeline | undefined): LocalPipeline | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const fields = ['name', 'stream', 'quotesTable', 'alertsTable', 'rawBucket'] as const;
  if (!fields.every((field) => typeof value[field] === 'string' && value[field] !== '')) return undefined;
  return { ...value, ingestEnv: value.ingestEnv ?? {}, trendsEnv: value.trendsEnv ?? {} };
}

export interface LocalPipelineSettings {
  /** Handler settings other than the resource names, which are derived from the pipeline name. */
  ingest?: Partial<Omit<IngestConfig, 'quotesTable' | 'rawBucket'>>;
  trends?: Partial<Omit<TrendsConfig, 'quotesTable' | 'alertsTable' | 'alertsTopicArn'>>;
  handlerLoader?: string;
  ingestMapping?: Partial<MappingConfig>;
  trendsMapping?: Partial<MappingConfig>;
}

/**
 * The registry entry for a pipeline name: resource names from core/names.ts (buckets for the
 * local account and region), handler environments from core/handler-env.ts, no SNS topic.
 */
export function localPipelineDefinition(name: string, settings: LocalPipelineSettings = {}): LocalPipeline {
  const names = pipelineNames(name);
  const rawBucket = bucketNames(name, LOCAL_ACCOUNT, LOCAL_REGION).raw;
  const ingest: IngestConfig = {
    anomalyThresholdPct: HANDLER_DEFAULTS.anomalyThresholdPct,
    ttlDays: HANDLER_DEFAULTS.ttlDays,
    ...settings.ingest,
    quotesTable: names.quotesTable,
    rawBucket,
  };
  const trends: TrendsConfig = {
    strategy: { name: 'crossover', ...DEFAULT_CROSSOVER },
    cooldownMinutes: HANDLER_DEFAULTS.cooldownMinutes,
    staleMinutes: HANDLER_DEFAULTS.staleMinutes,
    language: HANDLER_DEFAULTS.language,
    anomalyAlerts: HANDLER_DEFAULTS.anomalyAlerts,
    anomalyThresholdPct: HANDLER_DEFAULTS.anomalyThresholdPct,
    ...settings.trends,
    quotesTable: names.quotesTable,
    alertsTable: names.alertsTable,
    alertsTopicArn: '',
  };
  return {
    name,
    stream: names.stream,
    quotesTable: names.quotesTable,
    alertsTable: names.alertsTable,
    rawBucket,
    ingestEnv: ingestEnv(ingest),
    trendsEnv: trendsEnv(trends),
    ...(settings.handlerLoader ? { handlerLoader: settings.handlerLoader } : {}),
    ...(settings.ingestMapping ? { ingestMapping: settings.ingestMapping } : {}),
    ...(settings.trendsMapping ? { trendsMapping: settings.trendsMapping } : {}),
  };
}
