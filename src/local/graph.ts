/**
 * The local pipeline as a resource graph with the AWS graph's node ids, so setup, status and
 * cleanup walk it unchanged: a stream in kinesalite, both tables in dynalite, the raw bucket in
 * s3rver, and the local runner's registration standing in for the functions, mappings, topic,
 * Glue, Athena and alarms that exist only on AWS.
 */

import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CreateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectsCommand,
} from '@aws-sdk/client-s3';
import { isFileStrategy } from '../core/strategies/index.ts';
import { onDemandTableKeys } from '../core/tables.ts';
import { ingestEnvironment, pipelineTables, trendsEnvironment } from '../pipeline/aws-graph.ts';
import { canonicalJson, errorName, isNotFound, waiterParams } from '../pipeline/aws-helpers.ts';
import { readStreamSummary, streamNode, streamPresence } from '../pipeline/resources/stream.ts';
import { readTable, type TableOptions, tableNode } from '../pipeline/resources/table.ts';
import {
  type Change,
  missing,
  type Note,
  type Observation,
  type ResourceContext,
  type ResourceNode,
} from '../pipeline/types.ts';
import { BUNDLED_HANDLER_LOADER } from './bundled-handlers.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './constants.ts';
import { failureFile, functionCodeFile, functionLogFile, localPaths, localStateExists, safeFileName } from './paths.ts';
import { type LocalPipeline, readLocalPipeline, removeLocalPipeline, writeLocalPipeline } from './pipelines.ts';

/** Two shards: enough to show per-shard ordering, few enough for a laptop. */
export const LOCAL_SHARD_COUNT = 2;

/** What stands in for each AWS-only part of the pipeline; status shows it. */
export const LOCAL_STAND_INS: Note[] = [
  { note: 'standIn', aws: 'Lambda', local: 'same zips in the local runner' },
  { note: 'standIn', aws: 'SNS', local: 'alerts.log' },
  { note: 'standIn', aws: 'Glue/Athena', local: 'DuckDB' },
  { note: 'standIn', aws: 'CloudWatch', local: 'log files' },
];

export interface LocalGraphOptions {
  cwd: string;
  /** Module the runner loads handlers from (default: the built zips). Tests pass fixtures. */
  handlerLoader?: string;
}

export function localPipelineGraph(options: LocalGraphOptions) {
  return (ctx: Pick<ResourceContext, 'names' | 'buckets'>): ResourceNode[] =>
    [
      localStreamNode(ctx.names.stream),
      localTableNode(pipelineTables(ctx.names).quotes),
      localTableNode(pipelineTables(ctx.names).alerts),
      localBucketNode(ctx.buckets.raw),
      localRunnerNode(options),
    ].map((node) => missingWithoutLocalState(node, options.cwd));
}

/** Where no local stack ever ran nothing can exist: say so without starting one to ask. */
function missingWithoutLocalState(node: ResourceNode, cwd: string): ResourceNode {
  return {
    ...node,
    describe: (ctx) => (localStateExists(cwd) ? node.describe(ctx) : Promise.resolve(missing())),
  };
}

/**
 * The AWS stream node's id, dependencies and delete (kinesalite ignores EnforceConsumerDeletion);
 * its own create (provisioned shards: kinesalite has no on-demand mode or KMS) and no comparison.
 */
function localStreamNode(name: string): ResourceNode {
  const { id, dependsOn, destroy } = streamNode(name);
  return {
    id,
    kind: 'Kinesis stream (kinesalite)',
    name,
    dependsOn,
    async describe(ctx): Promise<Observation> {
      const summary = await readStreamSummary(ctx, name);
      if (!summary) return missing();
      const { notes, ...presence } = streamPresence(summary);
      return { ...presence, changes: [], notes: [{ note: 'shards', count: summary.OpenShardCount }, ...notes] };
    },
    async ensure(ctx, observed) {
      const kinesis = await ctx.clients.get('kinesis');
      if (observed.presence === 'missing') {
        await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: LOCAL_SHARD_COUNT }));
      }
      await waitUntilStreamExists(waiterParams(ctx, kinesis), { StreamName: name });
      return { action: observed.presence === 'missing' ? 'created' : 'unchanged' };
    },
    destroy,
  };
}

/**
 * The AWS table's definition (id, name, key) and delete; its own create (the keys alone: the
 * daemon's proxy keeps the table's stream log, dynalite has no streams) and no comparison.
 */
function localTableNode(table: TableOptions): ResourceNode {
  const { id, dependsOn, destroy } = tableNode(table);
  const { name, key } = table;
  return {
    id,
    kind: 'DynamoDB table (dynalite)',
    name,
    dependsOn,
    async describe(ctx): Promise<Observation> {
      const table = await readTable(ctx, name);
      if (!table) return missing();
      return {
        presence: table.TableStatus === 'ACTIVE' ? 'present' : 'degraded',
        ...(table.TableArn ? { arn: table.TableArn } : {}),
        changes: [],
        notes: [],
      };
    },
    async ensure(ctx, observed) {
      const dynamodb = await ctx.clients.get('dynamodb');
      if (observed.presence === 'missing') {
        await dynamodb.send(
          new CreateTableCommand({
            TableName: name,
            ...onDemandTableKeys(key),
          }),
        );
      }
      await waitUntilTableExists(waiterParams(ctx, dynamodb), { TableName: name });
      return { action: observed.presence === 'missing' ? 'created' : 'unchanged' };
    },
    destroy,
  };
}

function localBucketNode(name: string): ResourceNode {
  return {
    id: 'raw-bucket',
    kind: 'S3 bucket (s3rver, raw lake)',
    name,
    dependsOn: [],
    async describe(ctx): Promise<Observation> {
      const s3 = await ctx.clients.get('s3');
      try {
        await s3.send(new HeadBucketCommand({ Bucket: name }));
      } catch (error) {
        if (isNotFound(error) || errorName(error) === 'NotFound') return missing();
        throw error;
      }
      return { presence: 'present', changes: [], notes: [] };
    },
    async ensure(ctx, observed) {
      if (observed.presence !== 'missing') return { action: 'unchanged' };
      const s3 = await ctx.clients.get('s3');
      await s3.send(new CreateBucketCommand({ Bucket: name }));
      return { action: 'created' };
    },
    async destroy(ctx) {
      const s3 = await ctx.clients.get('s3');
      try {
        for (;;) {
          // ListObjects (v1), not V2: s3rver makes V2's continuation token with DES, which
          // OpenSSL 3 (Node ≥ 17) lacks, so a V2 listing of more than 1000 keys fails with a 500.
          // Each page is deleted before the next listing, so no marker is needed.
          const page = await s3.send(new ListObjectsCommand({ Bucket: name }));
          const objects = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
          if (objects.length === 0) break;
          await s3.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: objects, Quiet: true } }));
        }
        await s3.send(new DeleteBucketCommand({ Bucket: name }));
        return 'deleted';
      } catch (error) {
        if (isNotFound(error) || errorName(error) === 'NotFound') return 'absent';
        throw error;
      }
    },
  };
}

/**
 * The trends package when it is not the built one: with a file's strategy, the zip setup would
 * upload to AWS, kept by content under .stockpipe/local/code for the runner to unpack.
 */
async function trendsCodeOf(
  ctx: ResourceContext,
  cwd: string,
): Promise<{ path: string; bytes: Uint8Array } | undefined> {
  const strategy = ctx.spec?.strategy;
  if (!strategy || !isFileStrategy(strategy)) return undefined;
  const code = await ctx.code('trends');
  const hex = Buffer.from(code.sha256, 'base64').toString('hex');
  return { path: functionCodeFile(localPaths(cwd), ctx.names.trendsFunction, hex), bytes: code.bytes };
}

/** Removes the function's packages under .stockpipe/local/code, but `keep`. */
function removeCodeFiles(cwd: string, functionName: string, keep?: string): void {
  const { codeDir } = localPaths(cwd);
  const prefix = `${safeFileName(functionName)}-`;
  let files: string[];
  try {
    files = readdirSync(codeDir);
  } catch {
    return;
  }
  for (const file of files) {
    const path = join(codeDir, file);
    if (file.startsWith(prefix) && file.endsWith('.zip') && path !== keep) rmSync(path, { force: true });
  }
}

/** The runner's registration: what makes the local stack run this pipeline's two functions. */
function localRunnerNode(options: LocalGraphOptions): ResourceNode {
  const desired = (ctx: ResourceContext, trendsCode?: string): LocalPipeline => ({
    name: ctx.name,
    stream: ctx.names.stream,
    quotesTable: ctx.names.quotesTable,
    alertsTable: ctx.names.alertsTable,
    rawBucket: ctx.buckets.raw,
    ingestEnv: ingestEnvironment(ctx),
    // No SNS offline: the trends function records alerts and the runner prints them.
    trendsEnv: trendsEnvironment(ctx, ''),
    handlerLoader: options.handlerLoader ?? BUNDLED_HANDLER_LOADER,
    ...(trendsCode ? { trendsCode } : {}),
  });
  return {
    id: 'local-runner',
    kind: 'Local Lambda runner (ingest + trends)',
    name: '.stockpipe/local/pipelines',
    dependsOn: ['stream', 'quotes-table', 'alerts-table', 'raw-bucket'],
    async describe(ctx): Promise<Observation> {
      const registered = readLocalPipeline(options.cwd, ctx.name);
      if (!registered) return missing();
      const changes: Change[] = [];
      // Only setup has a spec; status and cleanup describe what is there.
      if (ctx.spec) {
        const code = await trendsCodeOf(ctx, options.cwd);
        const want = desired(ctx, code?.path);
        if (registered.trendsCode !== want.trendsCode || (code && !existsSync(code.path))) {
          changes.push({ field: 'trendsCode' });
        }
        if (canonicalJson(registered.ingestEnv) !== canonicalJson(want.ingestEnv)) {
          changes.push({ field: 'ingestEnvironment' });
        }
        if (canonicalJson(registered.trendsEnv) !== canonicalJson(want.trendsEnv)) {
          changes.push({ field: 'trendsEnvironment' });
        }
        if (registered.handlerLoader !== want.handlerLoader) changes.push({ field: 'handlerLoader' });
      }
      return { presence: 'present', changes, notes: LOCAL_STAND_INS };
    },
    async ensure(ctx, observed) {
      if (observed.presence === 'present' && observed.changes.length === 0) return { action: 'unchanged' };
      const code = await trendsCodeOf(ctx, options.cwd);
      if (code) {
        mkdirSync(dirname(code.path), { recursive: true });
        // Written whole before the registration names it: the runner never unpacks half a zip.
        const partial = `${code.path}.partial`;
        writeFileSync(partial, code.bytes);
        renameSync(partial, code.path);
      }
      writeLocalPipeline(options.cwd, desired(ctx, code?.path));
      removeCodeFiles(options.cwd, ctx.names.trendsFunction, code?.path);
      return { action: observed.presence === 'missing' ? 'created' : 'updated' };
    },
    async destroy(ctx) {
      const existed = removeLocalPipeline(options.cwd, ctx.name);
      // Nothing left behind: the functions' logs and on-failure records go with the pipeline.
      const paths = localPaths(options.cwd);
      for (const fn of [ctx.names.ingestFunction, ctx.names.trendsFunction]) {
        rmSync(functionLogFile(paths, fn), { force: true });
        rmSync(failureFile(paths, fn), { force: true });
        removeCodeFiles(options.cwd, fn);
      }
      return existed ? 'deleted' : 'absent';
    },
  };
}

/** The local target's fixed identity: no STS offline. */
export function localIdentity() {
  return {
    account: LOCAL_ACCOUNT,
    region: LOCAL_REGION,
    partition: 'aws',
    arn: `arn:aws:iam::${LOCAL_ACCOUNT}:root`,
    label: 'the local stack (.stockpipe/local)',
  };
}
