/**
 * An HTTP proxy in front of an AWS endpoint (moto) that records every request as the IAM action
 * and resource ARN it needs — what a policy must allow for that call — attributed to whichever
 * caller is `current` (the handler being invoked). Point AWS_ENDPOINT_URL at `url`.
 *
 * The service comes from the SigV4 credential scope, so one proxy serves every service; the
 * action and resource from the request as each protocol carries them (DynamoDB's X-Amz-Target and
 * JSON body, SNS's query form, S3's method and path-style URL).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './aws-proxy.ts';

export interface RecordedCall {
  /** Who sent it: the value of `current` when it arrived. */
  caller: string;
  /** IAM action, e.g. `dynamodb:BatchWriteItem`. */
  action: string;
  /** ARNs the action applies to (one per table of a batch call). */
  resources: string[];
}

export interface RecordingProxy {
  url: string;
  /** The caller the next requests are attributed to; undefined records them as `unattributed`. */
  current: string | undefined;
  calls: RecordedCall[];
  /**
   * Answers a call itself instead of forwarding it, when this returns a response: a refusal AWS
   * can send (e.g. DynamoDB's ValidationException for a whole batch). The call is still recorded.
   */
  answer:
    | ((call: RecordedCall) => { status: number; headers: Record<string, string>; body: string } | undefined)
    | undefined;
  close(): Promise<void>;
}

export async function startRecordingProxy(upstream: string, account: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const proxy: RecordingProxy = {
    url: '',
    current: undefined,
    calls: [],
    answer: undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const call = { caller: proxy.current ?? 'unattributed', ...describeRequest(req, body, account) };
    proxy.calls.push(call);
    const answered = proxy.answer?.(call);
    if (answered) {
      res.writeHead(answered.status, answered.headers);
      res.end(answered.body);
      return;
    }
    const headers = { ...req.headers, host: target.host };
    const upstreamReq = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    upstreamReq.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** The IAM action and resources of one request. */
export function describeRequest(
  req: Pick<IncomingMessage, 'headers' | 'method' | 'url'>,
  body: Buffer,
  account: string,
): { action: string; resources: string[] } {
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization));
  const region = scope?.[1] ?? 'unknown';
  const service = scope?.[2] ?? 'unknown';
  if (service === 'dynamodb') {
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? 'unknown';
    const input = JSON.parse(body.toString('utf8') || '{}') as { TableName?: string; RequestItems?: object };
    const tables = input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {});
    return {
      action: `dynamodb:${operation}`,
      resources: tables.map((table) => `arn:aws:dynamodb:${region}:${account}:table/${table}`),
    };
  }
  if (service === 'sns') {
    const form = new URLSearchParams(body.toString('utf8'));
    const json = String(req.headers['content-type']).includes('json')
      ? (JSON.parse(body.toString('utf8') || '{}') as { TopicArn?: string })
      : undefined;
    const operation = json ? String(req.headers['x-amz-target']).split('.').pop() : form.get('Action');
    const topic = json?.TopicArn ?? form.get('TopicArn');
    return { action: `sns:${operation}`, resources: topic ? [topic] : [] };
  }
  if (service === 's3') {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = decodeURIComponent(rest.join('/'));
    return { action: `s3:${s3Operation(String(req.method), key, url.searchParams)}`, resources: [s3Arn(bucket, key)] };
  }
  return { action: `${service}:unknown`, resources: [] };
}

function s3Operation(method: string, key: string, query: URLSearchParams): string {
  if (key) {
    if (method === 'PUT') return 'PutObject';
    if (method === 'GET' || method === 'HEAD') return 'GetObject';
    if (method === 'DELETE') return 'DeleteObject';
  }
  if (method === 'POST' && query.has('delete')) return 'DeleteObject';
  if (method === 'GET' || method === 'HEAD') return 'ListBucket';
  return `${method}Bucket`;
}

const s3Arn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}${key ? `/${key}` : ''}`;

// ——— policy evaluation: enough of IAM for our own policies (Allow statements, * and ? globs) ———

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

function glob(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/** The Allow statements that grant `action` on `resource` (none means the call would be denied). */
export function allowingStatements(
  statements: readonly PolicyStatement[],
  action: string,
  resource: string,
): PolicyStatement[] {
  return statements.filter(
    (statement) =>
      statement.Effect === 'Allow' &&
      list(statement.Action).some((granted) => glob(granted).test(action)) &&
      list(statement.Resource).some((granted) => glob(granted).test(resource)),
  );
}
