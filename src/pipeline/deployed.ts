/**
 * Reads back the settings a pipeline was set up with, so that a later `setup` keeps what it is
 * not told to change. The trends function's environment holds the strategy and the alert
 * language (the same variables the handler reads), the log group its retention.
 */
import { trendsConfigFromEnv } from '../core/handler-env.ts';
import { unlessNotFound } from './aws-helpers.ts';
import type { DeployedSettings, ResourceContext } from './types.ts';

/** From a trends environment; undefined when it is not one the handler would accept. */
export function settingsFromTrendsEnv(env: Record<string, string | undefined>): DeployedSettings | undefined {
  try {
    const config = trendsConfigFromEnv(env);
    return { strategy: config.strategy, language: config.language };
  } catch {
    return undefined;
  }
}

/** On AWS: the trends function's configuration and its log group. Undefined before the first setup. */
export async function readDeployedSettings(ctx: ResourceContext): Promise<DeployedSettings | undefined> {
  const [{ GetFunctionConfigurationCommand }, { DescribeLogGroupsCommand }] = await Promise.all([
    import('@aws-sdk/client-lambda'),
    import('@aws-sdk/client-cloudwatch-logs'),
  ]);
  const lambda = await ctx.clients.get('lambda');
  const config = await unlessNotFound(
    () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: ctx.names.trendsFunction })),
    undefined,
  );
  const settings = config ? settingsFromTrendsEnv(config.Environment?.Variables ?? {}) : undefined;
  if (!settings) return undefined;
  const logs = await ctx.clients.get('logs');
  const groups = await unlessNotFound(
    () => logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: ctx.names.trendsLogGroup })),
    undefined,
  );
  const retention = groups?.logGroups?.find(
    (group) => group.logGroupName === ctx.names.trendsLogGroup,
  )?.retentionInDays;
  return { ...settings, ...(retention !== undefined ? { logRetentionDays: retention } : {}) };
}
