/**
 * Loads a handler from a task root the way the Node.js runtime interface client does
 * (aws-lambda-ric: handler-path, module-loader, handler-resolver): `<path/>file.export` with no
 * `..`, the file tried as given and as .js, .mjs, .cjs, the export looked up by (dotted) name.
 * Failures carry the runtime's error types, so an offline invocation fails as it would on AWS.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const RUNTIME_ERRORS = {
  malformedHandlerName: 'Runtime.MalformedHandlerName',
  importModule: 'Runtime.ImportModuleError',
  userCodeSyntax: 'Runtime.UserCodeSyntaxError',
  handlerNotFound: 'Runtime.HandlerNotFound',
} as const;

/** An error the runtime reports with its own type (errorType = name). */
export class LambdaRuntimeError extends Error {
  constructor(errorType: string, message: string) {
    super(message);
    this.name = errorType;
  }
}

export type UserHandler = (event: unknown, context: unknown) => unknown;

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;
const EXTENSIONS = ['', '.js', '.mjs', '.cjs'];

export interface LoadUserFunctionOptions {
  /** Appended to the module URL: a new module instance instead of the cached one. */
  instance?: string;
}

export async function loadUserFunction(
  taskRoot: string,
  handlerString: string,
  options: LoadUserFunctionOptions = {},
): Promise<UserHandler> {
  if (handlerString.includes('..')) {
    throw new LambdaRuntimeError(
      RUNTIME_ERRORS.malformedHandlerName,
      `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const file = basename(handlerString);
  const moduleRoot = handlerString.slice(0, handlerString.indexOf(file)).replace(/\/$/, '');
  const match = FUNCTION_EXPR.exec(file);
  if (!match) throw new LambdaRuntimeError(RUNTIME_ERRORS.malformedHandlerName, 'Bad handler');
  const [, moduleName = '', handlerName = ''] = match;

  const withoutExtension = resolve(taskRoot, moduleRoot, moduleName);
  let module: unknown;
  try {
    const path = EXTENSIONS.map((extension) => `${withoutExtension}${extension}`).find(isFile);
    if (!path) {
      throw Object.assign(new Error(`Cannot find module '${moduleName}'`), { code: 'MODULE_NOT_FOUND' });
    }
    const suffix = options.instance ? `?instance=${options.instance}` : '';
    module = await import(`${pathToFileURL(path).href}${suffix}`);
  } catch (error) {
    if (error instanceof SyntaxError) throw new LambdaRuntimeError(RUNTIME_ERRORS.userCodeSyntax, String(error));
    const code = (error as NodeJS.ErrnoException).code;
    // Lambda reports a missing package of an ES module (ERR_MODULE_NOT_FOUND) as it does a
    // missing CommonJS module: "Runtime.ImportModuleError: Error: Cannot find package …".
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      throw new LambdaRuntimeError(RUNTIME_ERRORS.importModule, String(error));
    }
    throw error;
  }

  let handler = findIn(handlerName, module);
  if (!handler && module && typeof module === 'object' && 'default' in module) {
    handler = findIn(handlerName, (module as { default: unknown }).default);
  }
  if (!handler) {
    throw new LambdaRuntimeError(RUNTIME_ERRORS.handlerNotFound, `${handlerString} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new LambdaRuntimeError(RUNTIME_ERRORS.handlerNotFound, `${handlerString} is not a function`);
  }
  return handler as UserHandler;
}

function findIn(name: string, module: unknown): unknown {
  return name
    .split('.')
    .reduce<unknown>(
      (nested, key) => (nested && typeof nested === 'object' ? (nested as Record<string, unknown>)[key] : undefined),
      module,
    );
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
