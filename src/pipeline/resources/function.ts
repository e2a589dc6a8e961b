/**
 * Lambda functions from the packaged handlers: nodejs22.x on arm64. Code is compared by
 * CodeSha256 and configuration field by field, so an unchanged function is never touched.
 */
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetFunctionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { LAMBDA_DEFINITIONS } from '../../packaging/lambda-definition.ts';
import { LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, type LambdaFunction } from '../../packaging/lambda-zip.ts';
import { arns } from '../arns.ts';
import { isNotFound, retryIamPropagation, unlessNotFound, waitFor } from '../aws-helpers.ts';
import type { NodeId } from '../node-ids.ts';
import {
  type Change,
  hasChange,
  missing,
  type Note,
  type Observation,
  type ResourceContext,
  type ResourceNode,
} from '../types.ts';

export interface FunctionOptions {
  id: 'ingest-function' | 'trends-function';
  fn: LambdaFunction;
  name: string;
  roleName: string;
  dependsOn: NodeId[];
  timeoutSeconds: number;
  memoryMb: number;
  environment: (ctx: ResourceContext) => Record<string, string>;
}

interface DesiredConfig {
  Runtime: typeof LAMBDA_RUNTIME;
  Handler: string;
  Role: string;
  Timeout: number;
  MemorySize: number;
  Environment: { Variables: Record<string, string> };
  LoggingConfig: { LogFormat: 'JSON' };
}

function sameVariables(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const left = a ?? {};
  const keys = new Set([...Object.keys(left), ...Object.keys(b)]);
  return [...keys].every((key) => left[key] === b[key]);
}

function configChanges(current: FunctionConfiguration, desired: DesiredConfig): Change[] {
  const changes: Change[] = [];
  if (current.Runtime !== desired.Runtime)
    changes.push({ field: 'runtime', from: current.Runtime, to: desired.Runtime });
  if (current.Handler !== desired.Handler)
    changes.push({ field: 'handler', from: current.Handler, to: desired.Handler });
  if (current.Role !== desired.Role) changes.push({ field: 'role' });
  if (current.Timeout !== desired.Timeout)
    changes.push({ field: 'timeout', from: current.Timeout, to: desired.Timeout });
  if (current.MemorySize !== desired.MemorySize) {
    changes.push({ field: 'memory', from: current.MemorySize, to: desired.MemorySize });
  }
  // AWS always reports LoggingConfig (Text unless set); moto 5.2.5 neither stores nor returns it.
  const logFormat = current.LoggingConfig?.LogFormat;
  if (logFormat !== undefined && logFormat !== desired.LoggingConfig.LogFormat) {
    changes.push({ field: 'logFormat', from: logFormat, to: desired.LoggingConfig.LogFormat });
  }
  if (!sameVariables(current.Environment?.Variables, desired.Environment.Variables)) {
    const before = current.Environment?.Variables ?? {};
    const after = desired.Environment.Variables;
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (key) => before[key] !== after[key],
    );
    changes.push({ field: 'environment', keys });
  }
  return changes;
}

/** Changed by UpdateFunctionCode; every other change by UpdateFunctionConfiguration. */
const CODE_FIELDS: ReadonlySet<string> = new Set(['code', 'architecture']);

export function functionNode(options: FunctionOptions): ResourceNode {
  const { id, fn, name, roleName, dependsOn, timeoutSeconds, memoryMb, environment } = options;
  const FunctionName = name;
  const desired = (ctx: ResourceContext): DesiredConfig => ({
    Runtime: LAMBDA_RUNTIME,
    Handler: LAMBDA_DEFINITIONS[fn].handler,
    Role: arns.role(ctx, roleName),
    Timeout: timeoutSeconds,
    MemorySize: memoryMb,
    Environment: { Variables: environment(ctx) },
    LoggingConfig: { LogFormat: LAMBDA_DEFINITIONS[fn].logFormat },
  });

  return {
    id,
    kind: 'Lambda function',
    name,
    dependsOn,
    async describe(ctx): Promise<Observation> {
      const lambda = await ctx.clients.get('lambda');
      const result = await unlessNotFound(() => lambda.send(new GetFunctionCommand({ FunctionName })), undefined);
      const config = result?.Configuration;
      if (!config) return missing();
      const notes: Note[] = [];
      if (config.State && config.State !== 'Active')
        notes.push({ note: 'state', state: config.State, reason: config.StateReason });
      if (config.LastUpdateStatus === 'Failed')
        notes.push({ note: 'lastUpdateFailed', reason: config.LastUpdateStatusReason });
      const changes: Change[] = [];
      if (ctx.spec) {
        const code = await ctx.code(fn);
        if (config.CodeSha256 !== code.sha256) changes.push({ field: 'code' });
        const architecture = config.Architectures?.[0];
        if (architecture !== LAMBDA_ARCHITECTURE) {
          changes.push({ field: 'architecture', from: architecture, to: LAMBDA_ARCHITECTURE });
        }
        changes.push(...configChanges(config, desired(ctx)));
      }
      return {
        presence: notes.length > 0 ? 'degraded' : 'present',
        ...(config.FunctionArn ? { arn: config.FunctionArn } : {}),
        changes,
        notes,
      };
    },
    async ensure(ctx, observed) {
      const lambda = await ctx.clients.get('lambda');
      const code = await ctx.code(fn);
      const config = desired(ctx);
      const waitUpdated = () => waitFor(ctx, lambda, waitUntilFunctionUpdatedV2, { FunctionName });
      if (observed.presence === 'missing') {
        // A fresh role takes a few seconds before Lambda may assume it.
        const created = await retryIamPropagation(ctx.timing, () =>
          lambda.send(
            new CreateFunctionCommand({
              FunctionName,
              ...config,
              Architectures: [LAMBDA_ARCHITECTURE],
              Code: { ZipFile: code.bytes },
              Description: `stockpipe ${ctx.name}: ${fn}`,
              Tags: ctx.tags,
            }),
          ),
        );
        await waitFor(ctx, lambda, waitUntilFunctionActiveV2, { FunctionName });
        return { action: 'created', arn: created.FunctionArn ?? arns.fn(ctx, name) };
      }
      // A create that was interrupted leaves the function Pending, and LastUpdateStatus says nothing
      // about that: wait for State Active first. Updates are asynchronous too: each one must finish
      // before the next starts.
      await waitFor(ctx, lambda, waitUntilFunctionActiveV2, { FunctionName });
      await waitUpdated();
      if (hasChange(observed.changes, 'code', 'architecture')) {
        await lambda.send(
          new UpdateFunctionCodeCommand({ FunctionName, ZipFile: code.bytes, Architectures: [LAMBDA_ARCHITECTURE] }),
        );
        await waitUpdated();
      }
      if (!observed.changes.every((change) => 'field' in change && CODE_FIELDS.has(change.field))) {
        await retryIamPropagation(ctx.timing, () =>
          lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName, ...config })),
        );
        await waitUpdated();
      }
      return { action: 'updated', arn: observed.arn ?? arns.fn(ctx, name) };
    },
    async destroy(ctx) {
      const lambda = await ctx.clients.get('lambda');
      try {
        await lambda.send(new DeleteFunctionCommand({ FunctionName }));
        return 'deleted';
      } catch (error) {
        if (isNotFound(error)) return 'absent';
        throw error;
      }
    },
  };
}
