/**
 * The functions setup deploys are the ones the local runner runs (src/packaging/lambda-definition.ts),
 * and setup keeps their log format JSON: it sends LoggingConfig and changes a function logging Text.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { GetFunctionCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { ServiceName } from '../../../src/aws/clients.ts';
import { LAMBDA_DEFINITIONS } from '../../../src/packaging/lambda-definition.ts';
import { awsPipelineGraph, DEFAULT_SPEC } from '../../../src/pipeline/aws-graph.ts';
import { renderChanges } from '../../../src/pipeline/render.ts';
import { createResourceContext } from '../../../src/pipeline/run.ts';
import type { ResourceContext } from '../../../src/pipeline/types.ts';

const lambda = new LambdaClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const mock = mockClient(lambda);
afterEach(() => mock.reset());

function context(): ResourceContext {
  return createResourceContext({
    clients: { get: async (service: ServiceName) => (service === 'lambda' ? lambda : undefined) as never },
    name: 'demo',
    identity: { account: '111122223333', region: 'us-east-1', partition: 'aws', arn: '' },
    spec: DEFAULT_SPEC,
    code: async () => ({ bytes: new Uint8Array([1, 2, 3]), sha256: 'abc' }),
    timing: { sleep: async () => {}, waiter: { minDelay: 0.001, maxDelay: 0.002, maxWaitTime: 1 }, pollMs: 1 },
  });
}

function functionNode(ctx: ResourceContext, fn: 'ingest' | 'trends') {
  const found = awsPipelineGraph(ctx).find((node) => node.id === `${fn}-function`);
  assert.ok(found);
  return found;
}

/** What GetFunction returns for a function exactly as the definition wants it. */
function deployed(ctx: ResourceContext, fn: 'ingest' | 'trends', logFormat?: string) {
  const definition = LAMBDA_DEFINITIONS[fn];
  return {
    Configuration: {
      State: 'Active' as const,
      LastUpdateStatus: 'Successful' as const,
      CodeSha256: 'abc',
      Architectures: [definition.architecture],
      Runtime: definition.runtime,
      Handler: definition.handler,
      Role: `arn:aws:iam::111122223333:role/${fn === 'ingest' ? ctx.names.ingestRole : ctx.names.trendsRole}`,
      Timeout: definition.timeoutSeconds,
      MemorySize: definition.memoryMb,
      Environment: { Variables: {} },
      ...(logFormat ? { LoggingConfig: { LogFormat: logFormat as 'JSON' | 'Text' } } : {}),
    },
  };
}

describe('the function definition setup deploys', () => {
  it('ingest gets 512 MB and trends 256 MB, both the Handler index.handler and JSON logs', () => {
    assert.deepEqual(
      Object.values(LAMBDA_DEFINITIONS).map((d) => [d.fn, d.memoryMb, d.timeoutSeconds, d.handler, d.logFormat]),
      [
        ['ingest', 512, 60, 'index.handler', 'JSON'],
        ['trends', 256, 60, 'index.handler', 'JSON'],
      ],
    );
  });

  it('a function logging Text is changed to JSON; one logging JSON, or not saying (moto), is not', async () => {
    const ctx = context();
    const node = functionNode(ctx, 'trends');
    const changesWith = async (logFormat?: string) => {
      mock.on(GetFunctionCommand).resolves(deployed(ctx, 'trends', logFormat));
      const observed = await node.describe(ctx);
      // The environment differs from the empty one above; only the log format matters here.
      return renderChanges(observed.changes.filter((change) => !('field' in change && change.field === 'environment')));
    };
    assert.deepEqual(await changesWith('Text'), ['log format Text → JSON']);
    assert.deepEqual(await changesWith('JSON'), []);
    assert.deepEqual(await changesWith(undefined), []);
  });

  it('the update sends LoggingConfig JSON with the rest of the configuration', async () => {
    const ctx = context();
    mock.on(GetFunctionCommand).resolves(deployed(ctx, 'ingest', 'JSON'));
    mock.on(UpdateFunctionConfigurationCommand).resolves({});
    const node = functionNode(ctx, 'ingest');
    await node.ensure(ctx, {
      presence: 'present',
      changes: [{ field: 'logFormat', from: 'Text', to: 'JSON' }],
      notes: [],
    });
    const sent = mock.commandCalls(UpdateFunctionConfigurationCommand)[0]?.args[0].input;
    assert.deepEqual(sent?.LoggingConfig, { LogFormat: 'JSON' });
    assert.equal(sent?.MemorySize, 512);
    assert.equal(sent?.Handler, 'index.handler');
  });
});
