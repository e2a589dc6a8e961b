/**
 * Shared pieces of the pipeline conformance tests: a tiny Lambda package, a client factory that
 * counts mutating calls and can fail the k-th, fast timings, and a sweep for leftovers by name.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListWorkGroupsCommand } from '@aws-sdk/client-athena';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetDatabasesCommand, GetTablesCommand } from '@aws-sdk/client-glue';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListEventSourceMappingsCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { ZipArchive } from 'archiver';
import type { AwsClients, ServiceName } from '../../src/aws/clients.ts';
import { codeSha256 } from '../../src/packaging/lambda-zip.ts';
import type { CodeSource, Timing } from '../../src/pipeline/types.ts';
import { awsTargetPipeline } from '../../src/targets/aws.ts';
import { createCaptureIO } from '../../src/ui/io.ts';
import type { Moto } from '../helpers/moto.ts';

/** A zip holding index.mjs that exports handler: enough for Lambda (and moto) to accept. */
export async function fixtureZip(body = 'export const handler = async () => ({ batchItemFailures: [] });\n') {
  const archive = new ZipArchive({ zlib: { level: 9 } });
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', () => resolve());
    archive.on('error', reject);
  });
  archive.append(body, { name: 'index.mjs', date: new Date('2020-01-01T00:00:00Z') });
  await archive.finalize();
  await done;
  const bytes = Buffer.concat(chunks);
  return { bytes: new Uint8Array(bytes), sha256: codeSha256(bytes) };
}

export async function fixtureCode(version = 'v1'): Promise<CodeSource> {
  const zip = await fixtureZip(`// ${version}\nexport const handler = async () => ({ batchItemFailures: [] });\n`);
  return async () => zip;
}

/** Setup's clock in the conformance suite. */
export const FIXED_NOW = new Date('2026-11-22T12:00:00.000Z');

export const FAST_TIMING: Partial<Timing> = {
  waiter: { minDelay: 0.01, maxDelay: 0.05, maxWaitTime: 10 },
  sleep: async () => {},
  propagationDelayMs: 1,
  pollMs: 1,
  pollBudgetMs: 1000,
  // A fixed day, never today: the raw tables' projection starts at setup's day on an empty lake.
  now: () => FIXED_NOW,
};

const READ_ONLY = /^(Get|List|Describe|Head|Scan|Query|BatchGet)/;

export function isMutating(commandName: string): boolean {
  return !READ_ONLY.test(commandName);
}

export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

export interface CountingClients {
  clients: AwsClients;
  mutations: string[];
  /** The same calls as `service:Command` (DynamoDB and Glue both have a DeleteTableCommand). */
  serviceMutations: string[];
}

/** Clients against moto that record every mutating call; with failAt = k, the k-th mutating call throws. */
export function countingClients(moto: Moto, failAt?: number): CountingClients {
  const mutations: string[] = [];
  const serviceMutations: string[] = [];
  const clients = moto.clients({
    onClient: (service: ServiceName, client) => {
      (client as { middlewareStack: { add: (mw: unknown, options: unknown) => void } }).middlewareStack.add(
        (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
          const command = context.commandName ?? 'unknown';
          if (isMutating(command)) {
            mutations.push(command);
            serviceMutations.push(`${service}:${command}`);
            if (failAt !== undefined && mutations.length === failAt) {
              throw new InjectedFault(`injected failure at mutating call ${failAt} (${command})`);
            }
          }
          return next(args);
        },
        { step: 'initialize', name: 'countMutations' },
      );
    },
  });
  return { clients, mutations, serviceMutations };
}

/** `setup` of pipeline `name` in moto with the fixture zip, default settings; fails the test unless it exits 0. */
export async function setupInMoto(clients: AwsClients, name: string, version: string): Promise<void> {
  const { runSetup } = await import('../../src/commands/setup/run.ts');
  const { parseSetupFlags } = await import('../../src/commands/setup/options.ts');
  const capture = quietIO();
  const exit = await runSetup(parseSetupFlags({}), {
    io: capture.io,
    name,
    clients,
    pipeline: await awsTargetPipeline(clients),
    cwd: mkdtempSync(join(tmpdir(), `stockpipe-${version}-`)),
    code: await fixtureCode(version),
    timing: FAST_TIMING,
  });
  if (exit !== 0) throw new Error(`setup of ${name} in moto exited ${exit}: ${capture.stderr()}`);
}

export function quietIO(options: { json?: boolean; yes?: boolean } = {}) {
  return createCaptureIO({ yes: true, ...options });
}

/** Every resource in moto whose name belongs to the pipeline (tagging APIs omit IAM and Kinesis: by name). */
export async function leftovers(clients: AwsClients, name: string, excluding?: string): Promise<string[]> {
  const owned = (value: string | undefined, owner: string) =>
    value !== undefined && (value === owner || value.startsWith(`${owner}-`) || value === owner.replace(/-/g, '_'));
  const ours = (value: string | undefined) => owned(value, name) && !(excluding && owned(value, excluding));
  const found: string[] = [];
  const streams = await (await clients.get('kinesis')).send(new ListStreamsCommand({}));
  found.push(...(streams.StreamNames ?? []).filter(ours).map((n) => `stream ${n}`));
  const buckets = await (await clients.get('s3')).send(new ListBucketsCommand({}));
  found.push(
    ...(buckets.Buckets ?? [])
      .map((b) => b.Name)
      .filter(ours)
      .map((n) => `bucket ${n}`),
  );
  const tables = await (await clients.get('dynamodb')).send(new ListTablesCommand({}));
  found.push(...(tables.TableNames ?? []).filter(ours).map((n) => `table ${n}`));
  const lambda = await clients.get('lambda');
  const functions = await lambda.send(new ListFunctionsCommand({}));
  found.push(
    ...(functions.Functions ?? [])
      .map((f) => f.FunctionName)
      .filter(ours)
      .map((n) => `function ${n}`),
  );
  const mappings = await lambda.send(new ListEventSourceMappingsCommand({}));
  found.push(
    ...(mappings.EventSourceMappings ?? [])
      .filter((m) => ours(m.FunctionArn?.split(':').at(-1)) || ours(m.EventSourceArn?.split('/')[1]))
      .map((m) => `mapping ${m.UUID}`),
  );
  const roles = await (await clients.get('iam')).send(new ListRolesCommand({}));
  found.push(
    ...(roles.Roles ?? [])
      .map((r) => r.RoleName)
      .filter(ours)
      .map((n) => `role ${n}`),
  );
  const topics = await (await clients.get('sns')).send(new ListTopicsCommand({}));
  found.push(
    ...(topics.Topics ?? [])
      .map((t) => t.TopicArn?.split(':').at(-1))
      .filter(ours)
      .map((n) => `topic ${n}`),
  );
  const glue = await clients.get('glue');
  const databases = await glue.send(new GetDatabasesCommand({}));
  for (const database of (databases.DatabaseList ?? []).map((d) => d.Name).filter(ours)) {
    found.push(`glue ${database}`);
    // The raw table and the view, named in the report when their database is left behind.
    const tables = await glue.send(new GetTablesCommand({ DatabaseName: database }));
    found.push(...(tables.TableList ?? []).map((t) => `glue table ${database}.${t.Name} (${t.TableType})`));
  }
  const workgroups = await (await clients.get('athena')).send(new ListWorkGroupsCommand({}));
  found.push(
    ...(workgroups.WorkGroups ?? [])
      .map((w) => w.Name)
      .filter(ours)
      .map((n) => `workgroup ${n}`),
  );
  const groups = await (await clients.get('logs')).send(
    new DescribeLogGroupsCommand({ logGroupNamePrefix: `/aws/lambda/${name}-` }),
  );
  found.push(
    ...(groups.logGroups ?? [])
      .filter((g) => ours(g.logGroupName?.slice('/aws/lambda/'.length)))
      .map((g) => `log group ${g.logGroupName}`),
  );
  const alarms = await (await clients.get('cloudwatch')).send(
    new DescribeAlarmsCommand({ AlarmNamePrefix: `${name}-` }),
  );
  found.push(...(alarms.MetricAlarms ?? []).filter((a) => ours(a.AlarmName)).map((a) => `alarm ${a.AlarmName}`));
  return found;
}
