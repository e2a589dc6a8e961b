/**
 * S3's conditional write, which s3rver lacks: `PutObject` with `If-None-Match: *` creates the
 * object only when the key is free, and answers 412 PreconditionFailed otherwise — exactly one of
 * two writers racing for a key wins (redrive's claims depend on it). Without this the local
 * endpoint would let both win, kinder than AWS. Puts of one key are serialised here, so the
 * check and the write are one step.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { OBJECT_SUFFIX } from '../../query/s3rver-files.ts';
import type { Middleware } from './s3-key-guard.ts';
import { type AccessKey, checkSignature } from './sigv4.ts';

const PRECONDITION_FAILED =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
  '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
  '<Condition>If-None-Match</Condition></Error>';

/** A middleware for the s3rver whose objects live under `directory` (path-style requests). */
export function conditionalPuts(directory: string): Middleware {
  const queues = new Map<string, Promise<unknown>>();
  return async (ctx, next) => {
    if (ctx.method !== 'PUT' || ctx.get('if-none-match') !== '*' || ctx.get('x-amz-copy-source') !== '') {
      return next();
    }
    const path = decodeURIComponent(ctx.path.split('?')[0] ?? '');
    const [, bucket, ...key] = path.split('/');
    if (!bucket || key.length === 0) return next();
    const file = join(directory, bucket, `${key.join('/')}${OBJECT_SUFFIX}`);
    const previous = queues.get(file) ?? Promise.resolve();
    const turn = previous.then(async () => {
      if (!existsSync(file)) return next();
      ctx.status = 412;
      ctx.type = 'application/xml';
      ctx.body = PRECONDITION_FAILED;
    });
    const settled = turn.catch(() => undefined);
    queues.set(file, settled);
    try {
      return await turn;
    } finally {
      if (queues.get(file) === settled) queues.delete(file);
    }
  };
}

/** Puts conditional writes in front of every other middleware of an s3rver (a Koa app) not yet listening. */
export function installConditionalPuts(s3: object, directory: string): void {
  const app = s3 as { middleware?: Middleware[] };
  if (!Array.isArray(app.middleware)) throw new Error('s3rver is not the Koa app conditional puts expect');
  app.middleware.unshift(conditionalPuts(directory));
}

const SLOW_DOWN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>' +
  '<Message>the local stack is short of disk space: writes resume when space returns (see local status)</Message></Error>';

/**
 * Writes (PUT, POST) answered as S3 throttles them — 503 SlowDown, which the SDK retries — while
 * `full()` says the disk is short of space (disk-guard.ts). Deletes go on: they make room.
 */
export function installDiskGuard(s3: object, full: () => boolean): void {
  const app = s3 as { middleware?: Middleware[] };
  if (!Array.isArray(app.middleware)) throw new Error('s3rver is not the Koa app the disk guard expects');
  app.middleware.unshift(async (ctx, next) => {
    if (!full() || (ctx.method !== 'PUT' && ctx.method !== 'POST')) return next();
    ctx.status = 503;
    ctx.type = 'application/xml';
    ctx.body = SLOW_DOWN;
  });
}

/**
 * Requests signed with anything but the stack's key are refused as S3 refuses them (403
 * InvalidAccessKeyId / SignatureDoesNotMatch / AccessDenied): s3rver itself knows one fixed key
 * and never checks a SigV4 signature, and lets unsigned requests through.
 */
export function installSignatureCheck(s3: object, key: AccessKey): void {
  const app = s3 as { middleware?: Middleware[] };
  if (!Array.isArray(app.middleware)) throw new Error('s3rver is not the Koa app the signature check expects');
  // s3rver's own check must find the key id: its account registry learns the stack's key.
  const { DUMMY_ACCOUNT } = createRequire(import.meta.url)('s3rver/lib/models/account') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void; revokeAccessKey(id: string): void };
  };
  DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  DUMMY_ACCOUNT.createKeyPair(key.accessKeyId, key.secretAccessKey);
  app.middleware.unshift(async (ctx, next) => {
    const refusal = checkSignature({ method: ctx.method, url: ctx.url, headers: ctx.headers }, key);
    if (!refusal) return next();
    ctx.status = 403;
    ctx.type = 'application/xml';
    const code = refusal.code === 'MissingAuthenticationToken' ? 'AccessDenied' : refusal.code;
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${refusal.message}</Message></Error>`;
  });
}
