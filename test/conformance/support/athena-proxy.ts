/**
 * A pass-through HTTP proxy in front of moto for the two Athena behaviours moto 5 does not model:
 * GetQueryResults ignores MaxResults (always one page) and every execution SUCCEEDS having scanned
 * 0 bytes. The proxy pages moto's own rows by MaxResults/NextToken exactly as Athena does, and
 * patches GetQueryExecution's Status/Statistics when a test asks for it. Everything else —
 * StartQueryExecution, workgroups, StopQueryExecution, the canned rows — is moto's.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExecutionPatch {
  state?: 'FAILED' | 'CANCELLED';
  reason?: string;
  bytesScanned?: number;
}

export interface AthenaProxy {
  endpoint: string;
  /** Patch every GetQueryExecution answer until cleared. */
  patchExecution(patch: ExecutionPatch | undefined): void;
  /** MaxResults of each GetQueryResults call seen, and how many calls. */
  resultCalls: { maxResults: number | undefined; nextToken: string | undefined }[];
  close(): Promise<void>;
}

export async function startAthenaProxy(motoEndpoint: string): Promise<AthenaProxy> {
  let patch: ExecutionPatch | undefined;
  const resultCalls: AthenaProxy['resultCalls'] = [];

  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && key !== 'content-length' && key !== 'host') headers[key] = value;
    }
    let forwardBody = body;
    let page: { maxResults: number | undefined; offset: number } | undefined;
    if (target.endsWith('.GetQueryResults')) {
      const input = JSON.parse(body) as { QueryExecutionId: string; MaxResults?: number; NextToken?: string };
      resultCalls.push({ maxResults: input.MaxResults, nextToken: input.NextToken });
      page = { maxResults: input.MaxResults, offset: input.NextToken ? Number(input.NextToken) : 0 };
      forwardBody = JSON.stringify({ QueryExecutionId: input.QueryExecutionId });
    }
    const upstream = await fetch(`${motoEndpoint}${request.url ?? '/'}`, {
      method: request.method ?? 'POST',
      headers,
      ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: forwardBody }),
    });
    let text = await upstream.text();
    if (upstream.ok && page) {
      const document = JSON.parse(text) as { ResultSet: { Rows: unknown[] }; NextToken?: string };
      const rows = document.ResultSet.Rows;
      const end = page.maxResults ? page.offset + page.maxResults : rows.length;
      document.ResultSet.Rows = rows.slice(page.offset, end);
      if (end < rows.length) document.NextToken = String(end);
      text = JSON.stringify(document);
    }
    if (upstream.ok && patch && target.endsWith('.GetQueryExecution')) {
      const document = JSON.parse(text) as {
        QueryExecution: { Status: Record<string, unknown>; Statistics: Record<string, unknown> };
      };
      if (patch.state) document.QueryExecution.Status.State = patch.state;
      if (patch.reason) document.QueryExecution.Status.StateChangeReason = patch.reason;
      if (patch.bytesScanned !== undefined) document.QueryExecution.Statistics.DataScannedInBytes = patch.bytesScanned;
      text = JSON.stringify(document);
    }
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    response.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    patchExecution(next) {
      patch = next;
    },
    resultCalls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
