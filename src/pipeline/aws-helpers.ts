/** Small pieces every resource module shares: NotFound detection, IAM-propagation retries, waiter settings. */
import { retry } from '../core/retry.ts';
import type { ResourceContext, Timing } from './types.ts';

interface AwsErrorShape {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const e = error as AwsErrorShape;
  return e.name ?? e.Code ?? '';
}

const NOT_FOUND_NAMES = new Set([
  'ResourceNotFoundException',
  'ResourceNotFound',
  'NoSuchEntity',
  'NoSuchEntityException',
  'NotFound',
  'NotFoundException',
  'NoSuchBucket',
  'EntityNotFoundException',
]);

/**
 * A test for one kind of AWS error: its name is one of `names`, or it is the InvalidRequestException
 * Athena answers with, worded as `athenaMessage`.
 */
function errorKind(names: ReadonlySet<string>, athenaMessage: RegExp): (error: unknown) => boolean {
  return (error) => {
    const name = errorName(error);
    if (names.has(name)) return true;
    const message = (error as AwsErrorShape | undefined)?.message ?? '';
    return name === 'InvalidRequestException' && athenaMessage.test(message);
  };
}

/** True when the error means "that resource does not exist" (Athena: a missing workgroup). */
export const isNotFound = errorKind(NOT_FOUND_NAMES, /not found|does not exist/i);

/**
 * True when a change lost a race with another writer (a second setup of the same name, a console
 * user): the resource appeared between our describe and our create, or is being changed by them.
 * Kinesis and DynamoDB say ResourceInUse (moto's Kinesis message is only the stream's name), Lambda
 * ResourceConflict, IAM and Glue AlreadyExists, Athena InvalidRequest "is already created".
 */
const RACE_NAMES = new Set([
  'EntityAlreadyExists',
  'EntityAlreadyExistsException',
  'AlreadyExistsException',
  'ResourceInUseException',
  'ResourceConflictException',
]);

export const isAlreadyExists = errorKind(RACE_NAMES, /already (exists?|created)/i);

/** Run `call`; NotFound becomes `fallback`, anything else propagates. */
export async function unlessNotFound<T, F>(call: () => Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return fallback;
    throw error;
  }
}

/** Every item of a paged listing (pages: the SDK's paginator); undefined when what it lists does not exist. */
export async function allItems<Page, Item>(
  pages: AsyncIterable<Page>,
  itemsOf: (page: Page) => Item[] | undefined,
): Promise<Item[] | undefined> {
  return unlessNotFound(async () => {
    const all: Item[] = [];
    for await (const page of pages) all.push(...(itemsOf(page) ?? []));
    return all;
  }, undefined);
}

/**
 * The messages AWS returns while a fresh role or policy has not propagated yet (docs/aws.md, What bites).
 * Only these are retried: any other error is a real one.
 */
export const IAM_PROPAGATION_MESSAGES = [
  /cannot be assumed by Lambda/i,
  /Cannot access stream/i,
  /execution role does not have permissions to call/i,
];

export function isIamPropagationError(error: unknown): boolean {
  if (errorName(error) !== 'InvalidParameterValueException') return false;
  const message = (error as AwsErrorShape).message ?? '';
  return IAM_PROPAGATION_MESSAGES.some((pattern) => pattern.test(message));
}

/** Retries `call` while IAM propagates, with doubling delays, for up to timing.propagationBudgetMs. */
export function retryIamPropagation<T>(timing: Timing, call: () => Promise<T>): Promise<T> {
  return retry(call, {
    attempts: Number.POSITIVE_INFINITY,
    backoff: { baseMs: timing.propagationDelayMs, capMs: timing.propagationDelayMs * 10, jitter: false },
    budgetMs: timing.propagationBudgetMs,
    retryable: isIamPropagationError,
    sleep: timing.sleep,
  });
}

/** Polls `check` until it returns a value, for up to timing.pollBudgetMs; then throws `timeoutMessage`. */
export async function pollUntil<T>(
  timing: Timing,
  check: () => Promise<T | undefined>,
  timeoutMessage: string,
): Promise<T> {
  let waited = 0;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (waited >= timing.pollBudgetMs) throw new Error(timeoutMessage);
    await timing.sleep(timing.pollMs);
    waited += timing.pollMs;
  }
}

/** Parameters for an SDK waiter: `waitUntilX(waiterParams(ctx, client), input)`. */
export function waiterParams<C>(ctx: ResourceContext, client: C) {
  return { client, ...ctx.timing.waiter };
}

const DENIED_NAMES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Forbidden']);

/** True when AWS refused the call for want of a permission (IAM, a bucket or key policy). */
export function isAccessDenied(error: unknown): boolean {
  if (DENIED_NAMES.has(errorName(error))) return true;
  return (error as AwsErrorShape | undefined)?.$metadata?.httpStatusCode === 403;
}

interface Sender {
  send(...args: never[]): Promise<unknown>;
}

/**
 * Runs an SDK waiter (`waitFor(ctx, kinesis, waitUntilStreamExists, { StreamName })`), except
 * that a poll AWS refuses for want of a permission ends the wait at once with that refusal. The
 * SDK's waiters retry on any error they do not expect, so a missing permission would otherwise be
 * waited out for the whole maxWaitTime and then reported as a timeout, its cause hidden.
 */
export async function waitFor<C extends Sender, I>(
  ctx: ResourceContext,
  client: C,
  waiter: (params: { client: C; abortSignal: AbortSignal } & Timing['waiter'], input: I) => Promise<unknown>,
  input: I,
): Promise<void> {
  const controller = new AbortController();
  let denied: unknown;
  const watched = new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (...args: never[]) => {
        try {
          return await target.send(...args);
        } catch (error) {
          if (isAccessDenied(error)) {
            denied = error;
            controller.abort();
          }
          throw error;
        }
      };
    },
  });
  try {
    await waiter({ ...waiterParams(ctx, watched), abortSignal: controller.signal }, input);
  } catch (error) {
    throw denied ?? error;
  }
}

export const DEFAULT_TIMING: Timing = {
  waiter: { minDelay: 2, maxDelay: 15, maxWaitTime: 600 },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  propagationDelayMs: 2000,
  propagationBudgetMs: 120_000,
  bucketConflictDelayMs: 10_000,
  bucketConflictBudgetMs: 180_000,
  settleReads: 3,
  pollMs: 2000,
  pollBudgetMs: 300_000,
  now: () => new Date(),
};

/** JSON with sorted keys, for comparing policy documents regardless of key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
