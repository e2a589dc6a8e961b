/**
 * AWS Signature Version 4, checked: the local stack's endpoints answer only requests signed with
 * the stack's own key (src/local/credentials.ts). The emulators check at most that a signature is
 * there (s3rver: that its key id is known); this recomputes it from the request — method, path,
 * query, the signed headers and the payload's hash — and compares, as AWS does.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  method: string;
  /** The path and query as sent (`/bucket/key?list-type=2`). */
  url: string;
  headers: IncomingHttpHeaders;
}

/** Why a request is refused, in AWS's words, or undefined when it is signed with `key`. */
export type Refusal = {
  code: 'MissingAuthenticationToken' | 'InvalidAccessKeyId' | 'SignatureDoesNotMatch';
  message: string;
};

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding, as SigV4 wants it: everything but A–Z a–z 0–9 - _ . ~ percent-encoded. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query.split('&').map((pair) => {
    const [key = '', value = ''] = pair.split('=');
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, '%20'));
    return [encode(decode(key)), encode(decode(value))] as const;
  });
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text.trim().replace(/\s+/g, ' ');
}

/**
 * Checks the request's Authorization header against `key`. `body` is needed where the request
 * carries no x-amz-content-sha256 (the JSON services: Kinesis, DynamoDB); S3 sends the hash it
 * signed (or UNSIGNED-PAYLOAD) in that header.
 */
export function checkSignature(request: SignedRequest, key: AccessKey, body?: Buffer): Refusal | undefined {
  const authorization = headerValue(request.headers, 'authorization');
  const parsed = AUTHORIZATION.exec(authorization);
  if (!parsed) {
    return { code: 'MissingAuthenticationToken', message: 'the local stack answers only requests signed with its key' };
  }
  const [, accessKeyId, scope = '', signedHeaders = '', signature = ''] = parsed;
  if (accessKeyId !== key.accessKeyId) {
    return {
      code: 'InvalidAccessKeyId',
      message: 'the access key is not this local stack’s (see `stockpipe local env`)',
    };
  }
  const [date = '', region = '', service = ''] = scope.split('/');
  const amzDate = headerValue(request.headers, 'x-amz-date');
  const [path = '/', query = ''] = request.url.split('?');
  const names = signedHeaders.split(';');
  const payloadHash = headerValue(request.headers, 'x-amz-content-sha256') || sha256(body ?? Buffer.alloc(0));
  const canonicalRequest = [
    request.method,
    path,
    canonicalQuery(query),
    `${names.map((name) => `${name}:${headerValue(request.headers, name)}`).join('\n')}\n`,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { code: 'SignatureDoesNotMatch', message: 'the request signature does not match this local stack’s key' };
  }
  return undefined;
}

/** The error each refusal is in the JSON services (Kinesis, DynamoDB), as AWS names it. */
export const JSON_REFUSALS: Record<Refusal['code'], string> = {
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  InvalidAccessKeyId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
};
