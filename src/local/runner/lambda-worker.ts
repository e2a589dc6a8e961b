/**
 * A Lambda sandbox in a worker thread: its own process.env (the function's environment), its own
 * module graph (the handler loads at "cold start"), stdout/stderr captured by the parent into the
 * function's log file. Receives invoke messages, answers with the handler's response or error.
 *
 * The loader module either returns a task root (`lambdaTaskRoot(fn)`: the built zip, unpacked),
 * from which the Handler string is resolved as the Node.js runtime does, or hands back a handler
 * function itself (`loadLambdaHandler(fn)`: test fixtures).
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { LambdaRuntimeError, loadUserFunction, RUNTIME_ERRORS } from '../../packaging/user-function.ts';
import { collectWhenQuiet } from '../quiet-collector.ts';
import { jsonErrorLine, patchConsole } from './json-console.ts';

interface WorkerData {
  loaderModule: string;
  kind: string;
  /** A zip to run instead of the function's built one. */
  codeZip?: string;
  handler: string;
  functionName: string;
  functionArn: string;
  memoryMb: number;
  timeoutMs: number;
  logStreamName: string;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown> | unknown;
interface Loader {
  lambdaTaskRoot?: (kind: string, codeZip?: string) => Promise<string>;
  loadLambdaHandler?: (kind: string) => Promise<Handler>;
}

const data = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error('lambda-worker must run in a worker thread');

let currentRequestId: string | undefined;
patchConsole(
  () => currentRequestId,
  (line) => process.stdout.write(line),
);

function describe(error: unknown): { errorType: string; errorMessage: string; stackTrace?: string[] } {
  if (error instanceof Error) {
    const stackTrace = error.stack?.split('\n').slice(1);
    return { errorType: error.name, errorMessage: error.message, ...(stackTrace ? { stackTrace } : {}) };
  }
  return { errorType: 'Error', errorMessage: String(error) };
}

async function loadHandler(): Promise<Handler> {
  const specifier =
    /^[a-z][a-z0-9+.-]*:/i.test(data.loaderModule) && !/^[a-z]:[\\/]/i.test(data.loaderModule)
      ? data.loaderModule
      : pathToFileURL(data.loaderModule).href;
  const loader = await importError(() => import(specifier) as Promise<Loader>);
  const taskRootOf = loader.lambdaTaskRoot;
  if (typeof taskRootOf === 'function') {
    const taskRoot = await importError(() => taskRootOf(data.kind, data.codeZip));
    process.env.LAMBDA_TASK_ROOT = taskRoot;
    // Errors here are the runtime's own (Runtime.*) or the code's init error, as on Lambda.
    return (await loadUserFunction(taskRoot, data.handler)) as Handler;
  }
  const load = loader.loadLambdaHandler;
  if (typeof load !== 'function') {
    throw new LambdaRuntimeError(
      RUNTIME_ERRORS.importModule,
      `${data.loaderModule} exports neither lambdaTaskRoot(fn) nor loadLambdaHandler(fn)`,
    );
  }
  const handler = await importError(() => load(data.kind));
  if (typeof handler !== 'function') {
    throw new LambdaRuntimeError(
      RUNTIME_ERRORS.handlerNotFound,
      `loadLambdaHandler('${data.kind}') did not return a function`,
    );
  }
  return handler;
}

/** A loader that cannot provide the code: the runtime's import error. */
async function importError<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new LambdaRuntimeError(RUNTIME_ERRORS.importModule, describe(error).errorMessage);
  }
}

let handler: Handler;
const initStarted = performance.now();
try {
  handler = await loadHandler();
  // Lambda's sandboxes are frozen between invocations; ours idle, holding a burst's garbage.
  collectWhenQuiet();
  port.postMessage({ type: 'ready', initDurationMs: performance.now() - initStarted });
} catch (error) {
  const described = describe(error);
  // What the runtime logs for a failed init, then reports as the invocation's error.
  process.stdout.write(`${jsonErrorLine(undefined, error)}\n`);
  port.postMessage({
    type: 'load-error',
    error: { errorType: described.errorType, errorMessage: described.errorMessage },
  });
  process.exit(1);
}

port.on('message', async (message: { type: 'invoke'; id: number; event: unknown; requestId?: string }) => {
  if (message.type !== 'invoke') return;
  const requestId = message.requestId ?? randomUUID();
  currentRequestId = requestId;
  const deadline = Date.now() + data.timeoutMs;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: data.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: data.functionArn,
    memoryLimitInMB: String(data.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${data.functionName}`,
    logStreamName: data.logStreamName,
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
    // What the Node.js runtime logs for an unhandled error under the JSON log format.
    process.stdout.write(`${jsonErrorLine(requestId, error)}\n`);
    port.postMessage({
      type: 'result',
      id: message.id,
      ok: false,
      error: { errorType: described.errorType, errorMessage: described.errorMessage },
    });
  }
});
