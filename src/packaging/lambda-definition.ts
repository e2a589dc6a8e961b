/**
 * The one definition of each function: setup deploys it (src/pipeline/aws-graph.ts,
 * resources/function.ts) and the local runner runs it (src/local), so the Handler, memory,
 * timeout and log format cannot drift apart. Also what the Node.js runtime adds around it: the
 * node flags and the environment variables Lambda sets in every execution environment.
 */
import { LAMBDA_ARCHITECTURE, LAMBDA_HANDLER, LAMBDA_RUNTIME, type LambdaFunction } from './lambda-zip.ts';

export interface LambdaDefinition {
  fn: LambdaFunction;
  /** `<file>.<export>` under the task root, as the runtime resolves it. */
  handler: string;
  runtime: typeof LAMBDA_RUNTIME;
  architecture: typeof LAMBDA_ARCHITECTURE;
  memoryMb: number;
  timeoutSeconds: number;
  /** LoggingConfig.LogFormat: JSON on AWS and offline, so `tail` reads one shape everywhere. */
  logFormat: 'JSON';
}

const common = {
  handler: LAMBDA_HANDLER,
  runtime: LAMBDA_RUNTIME,
  architecture: LAMBDA_ARCHITECTURE,
  logFormat: 'JSON',
} as const;

export const LAMBDA_DEFINITIONS: Readonly<Record<LambdaFunction, LambdaDefinition>> = {
  // 512 MB: a 500-record batch gzips and writes several lake objects at once.
  ingest: { fn: 'ingest', ...common, memoryMb: 512, timeoutSeconds: 60 },
  trends: { fn: 'trends', ...common, memoryMb: 256, timeoutSeconds: 60 },
};

/**
 * What the nodejs22.x runtime's bootstrap runs node with: a tenth of the memory as new space
 * (half of it per semi-space), the rest as old space, and the experimental module features Lambda
 * turns off on Node 22.
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    '--expose-gc',
    '--max-http-header-size=81920',
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
    '--no-experimental-require-module',
    '--no-experimental-detect-module',
  ];
}

export interface LambdaEnvironmentOptions {
  definition: LambdaDefinition;
  functionName: string;
  region: string;
  taskRoot: string;
  logStreamName: string;
}

/**
 * The variables Lambda sets for a function (besides its own Environment and credentials): the
 * runtime reads _HANDLER and LAMBDA_TASK_ROOT, Powertools reads AWS_LAMBDA_INITIALIZATION_TYPE
 * for cold_start and AWS_LAMBDA_FUNCTION_* for its keys.
 */
export function lambdaEnvironment(options: LambdaEnvironmentOptions): Record<string, string> {
  const { definition, functionName, region, taskRoot, logStreamName } = options;
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${definition.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_FORMAT: definition.logFormat,
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    _HANDLER: definition.handler,
    LAMBDA_TASK_ROOT: taskRoot,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
  };
}

/** `2026/01/31/[$LATEST]<32 hex>`: the shape of a Lambda log stream name. */
export function lambdaLogStreamName(now: Date, id: string): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${id}`;
}
