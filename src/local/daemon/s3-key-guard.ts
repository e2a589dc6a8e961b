/**
 * s3rver stores an object as a file named after its key, joined to its folder: a key with `..`
 * segments (`../../../../ESCAPED`) wrote outside the state folder. S3 itself treats `..` as two
 * dots, but no key the pipeline writes has such a segment, so the local endpoint refuses them
 * before s3rver sees them, in the path and in a copy's source.
 */

/** The part of Koa's context the local S3 endpoint's middlewares use. */
export interface KoaLikeContext {
  method: string;
  path: string;
  url: string;
  headers: import('node:http').IncomingHttpHeaders;
  get(header: string): string;
  status: number;
  type: string;
  body: unknown;
}

export type Middleware = (ctx: KoaLikeContext, next: () => Promise<unknown>) => Promise<unknown>;

/** True when the (percent-encoded) path has a `.` or `..` segment, or cannot be decoded. */
export function escapesFolder(encodedPath: string): boolean {
  const path = encodedPath.split('?')[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true;
  }
  return decoded.split(/[/\\]/).some((segment) => segment === '..' || segment === '.');
}

export const rejectEscapingKeys: Middleware = async (ctx, next) => {
  const copySource = ctx.get('x-amz-copy-source');
  if (escapesFolder(ctx.path) || (copySource !== '' && escapesFolder(copySource))) {
    ctx.status = 400;
    ctx.type = 'application/xml';
    ctx.body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code>' +
      '<Message>keys with . or .. segments are refused by the local S3 endpoint</Message></Error>';
    return;
  }
  return next();
};

/** Puts the guard in front of every other middleware of an s3rver (a Koa app) not yet listening. */
export function guardS3Keys(s3: object): void {
  const app = s3 as { middleware?: Middleware[] };
  if (!Array.isArray(app.middleware)) throw new Error('s3rver is not the Koa app this guard expects');
  app.middleware.unshift(rejectEscapingKeys);
}
