/**
 * An HTTP proxy in front of an emulator that counts the calls going through it and can throttle
 * DynamoDB writes the way DynamoDB does: chosen items of a BatchWriteItem come back as
 * UnprocessedItems (the rest are written). Point AWS_ENDPOINT_URL_<SERVICE> at `url`.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type AttributeMap = Record<string, Record<string, unknown>>;
interface WriteRequest {
  PutRequest?: { Item: AttributeMap };
}

export interface AwsProxy {
  url: string;
  /** Calls seen, by operation: the X-Amz-Target action (DynamoDB) or `${method}` (S3). */
  calls: Map<string, number>;
  /** Items of BatchWriteItem for which this returns true are answered as UnprocessedItems. */
  throttle: ((item: AttributeMap) => boolean) | undefined;
  close(): Promise<void>;
}

export async function startAwsProxy(upstream: string): Promise<AwsProxy> {
  const target = new URL(upstream);
  const proxy: AwsProxy = {
    url: '',
    calls: new Map(),
    throttle: undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const action = String(req.headers['x-amz-target'] ?? req.method)
      .split('.')
      .pop() as string;
    proxy.calls.set(action, (proxy.calls.get(action) ?? 0) + 1);
    let forwardBody = body;
    let withheld: Record<string, WriteRequest[]> = {};
    if (action === 'BatchWriteItem' && proxy.throttle) {
      const input = JSON.parse(body.toString('utf8')) as { RequestItems: Record<string, WriteRequest[]> };
      const kept: Record<string, WriteRequest[]> = {};
      for (const [table, requests] of Object.entries(input.RequestItems)) {
        const isThrottled = (request: WriteRequest) =>
          Boolean(request.PutRequest && proxy.throttle?.(request.PutRequest.Item));
        const keep = requests.filter((request) => !isThrottled(request));
        const hold = requests.filter(isThrottled);
        if (keep.length > 0) kept[table] = keep;
        if (hold.length > 0) withheld[table] = hold;
      }
      if (Object.keys(kept).length === 0) {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ UnprocessedItems: withheld }));
        return;
      }
      forwardBody = Buffer.from(JSON.stringify({ ...input, RequestItems: kept }));
    } else {
      withheld = {};
    }
    const headers = { ...req.headers, host: target.host, 'content-length': String(forwardBody.byteLength) };
    const upstreamReq = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      async (upstreamRes) => {
        const responseBody = await readBody(upstreamRes);
        const responseHeaders = { ...upstreamRes.headers };
        let out = responseBody;
        if (Object.keys(withheld).length > 0 && upstreamRes.statusCode === 200) {
          const output = JSON.parse(responseBody.toString('utf8')) as {
            UnprocessedItems?: Record<string, WriteRequest[]>;
          };
          const unprocessed = output.UnprocessedItems ?? {};
          for (const [table, requests] of Object.entries(withheld)) {
            unprocessed[table] = [...(unprocessed[table] ?? []), ...requests];
          }
          out = Buffer.from(JSON.stringify({ ...output, UnprocessedItems: unprocessed }));
          delete responseHeaders['x-amz-crc32'];
        }
        responseHeaders['content-length'] = String(out.byteLength);
        res.writeHead(upstreamRes.statusCode ?? 502, responseHeaders);
        res.end(out);
      },
    );
    upstreamReq.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    upstreamReq.end(forwardBody);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** The whole body of a request or response. */
export function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
