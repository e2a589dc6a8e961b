/**
 * A Lambda sandbox in a worker thread: its own process.env (the function's environment), its own
 * module graph (the handler loads at "cold start"), stdout/stderr captured by the parent into the
 * function's log file. Receives invoke messages, answers with the handler's response or error.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

interface WorkerData {
  loaderModule: string;
  kind: string;
  functionName: string;
  functionArn: string;
  memoryMb: number;
  timeoutMs: number;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown> | unknown;

const data = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error('lambda-worker must run in a worker thread');

function describe(error: unknown): { errorType: string; errorMessage: string; stackTrace?: string[] } {
  if (error instanceof Error) {
    const stackTrace = error.stack?.split('\n').slice(1);
    return { errorType: error.name, errorMessage: error.message, ...(stackTrace ? { stackTrace } : {}) };
  }
  return { errorType: 'Error', errorMessage: String(error) };
}

let handler: Handler;
try {
  const specifier =
    /^[a-z][a-z0-9+.-]*:/i.test(data.loaderModule) && !/^[a-z]:[\\/]/i.test(data.loaderModule)
      ? data.loaderModule
      : pathToFileURL(data.loaderModule).href;
  const loader = (await import(specifier)) as { loadLambdaHandler?: (kind: string) => Promise<Handler> };
  if (typeof loader.loadLambdaHandler !== 'function') {
    throw new Error(`${data.loaderModule} does not export loadLambdaHandler(fn)`);
  }
  handler = await loader.loadLambdaHandler(data.kind);
  if (typeof handler !== 'function') throw new Error(`loadLambdaHandler('${data.kind}') did not return a function`);
  port.postMessage({ type: 'ready' });
} catch (error) {
  port.postMessage({
    type: 'load-error',
    error: { errorType: 'Runtime.ImportModuleError', errorMessage: describe(error).errorMessage },
  });
  process.exit(1);
}

port.on('message', async (message: { type: 'invoke'; id: number; event: unknown; requestId?: string }) => {
  if (message.type !== 'invoke') return;
  const requestId = message.requestId ?? randomUUID();
  const deadline = Date.now() + data.timeoutMs;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: data.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: data.functionArn,
    memoryLimitInMB: String(data.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${data.functionName}`,
    logStreamName: `local/[$LATEST]${data.kind}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const response = await handler(message.event, context);
    // Lambda serialises the response as JSON.
    const serialised = response === undefined ? null : JSON.parse(JSON.stringify(response));
    port.postMessage({ type: 'result', id: message.id, ok: true, response: serialised });
  } catch (error) {
    const described = describe(error);
    // What the Node.js runtime logs for an unhandled error.
    console.error(
      JSON.stringify({
        timestamp: new Date().toISOString(),
        level: 'ERROR',
        requestId,
        message: 'Invoke Error',
        ...described,
      }),
    );
    port.postMessage({
      type: 'result',
      id: message.id,
      ok: false,
      error: { errorType: described.errorType, errorMessage: described.errorMessage },
    });
  }
});
