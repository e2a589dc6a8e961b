/**
 * An HTTP proxy in front of dynalite that gives observed tables what dynalite lacks: a stream of
 * INSERT records. For a PutItem, BatchWriteItem (PutRequest) or UpdateItem that touches an
 * observed table, it checks which keys exist (consistent read), forwards the write, and reports
 * the items that did not exist before and were written, in write order, before it answers the
 * client. Observed writes of one key take turns, so two writers of one new key cannot both see it
 * as new; writes of other keys run meanwhile (an ingest batch's BatchWriteItem calls at once).
 * Their INSERT records are appended in arrival order within a partition (table and hash key: one
 * symbol's quotes), as in a DynamoDB stream shard: a write's records wait for those of the
 * partition's earlier writes, so when trends reads a point every earlier point of its symbol is
 * already in the table. Every other request passes through untouched. All clients of the local
 * target use this proxy's port; dynalite's own port is not published.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isWriteAction, throttleBody } from './disk-guard.ts';
import { keyString, pickKey, type WireItem } from './dynamodb-json.ts';
import { type AccessKey, checkSignature, JSON_REFUSALS } from './sigv4.ts';
import { TurnQueue } from './turn-queue.ts';

export interface NewItemWrite {
  table: string;
  keys: WireItem;
  newImage: WireItem;
}

/** Receives the new items of one table (synchronously, before the write is acknowledged). */
export type TableObserver = (items: NewItemWrite[]) => void;

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const WRITE_OPERATIONS = new Set(['PutItem', 'BatchWriteItem', 'UpdateItem']);

/** An item an observed write puts (or updates): its key, its partition, and its image if known. */
interface Candidate {
  table: string;
  key: WireItem;
  keyId: string;
  /** `${table}|${hash key value}`: the INSERT records of one partition are appended in order. */
  partition: string;
  item?: WireItem;
}

export class DynamoDbProxy {
  private readonly upstreamPort: number;
  private readonly key: AccessKey | undefined;
  private readonly observerOf: (table: string) => TableObserver | undefined;
  private readonly server: Server;
  private readonly keySchemas = new Map<string, string[]>();
  /** Observed writes are admitted one at a time, in arrival order (see observedWrite). */
  private admission: Promise<unknown> = Promise.resolve();
  /** Turns by item key (`${table}|${key}`): the existence check and the write. */
  private readonly keyTurns = new TurnQueue();
  /** Turns by partition (`${table}|${hash key}`): appending the INSERT records. */
  private readonly partitionTurns = new TurnQueue();

  constructor(options: {
    upstreamPort: number;
    observerOf: (table: string) => TableObserver | undefined;
    /** True while the disk is short of space: writes are refused as DynamoDB throttles (disk-guard.ts). */
    refuseWrites?: () => boolean;
    /** The only key requests may be signed with (sigv4.ts); none: any. */
    key?: AccessKey;
  }) {
    this.upstreamPort = options.upstreamPort;
    this.observerOf = options.observerOf;
    this.key = options.key;
    const refuseWrites = options.refuseWrites ?? (() => false);
    this.server = createServer((req, res) => {
      if (refuseWrites() && isWriteAction(req.headers['x-amz-target'] as string | undefined)) {
        req.resume();
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(throttleBody('com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException'));
        return;
      }
      this.handle(req)
        .then((upstream) => {
          res.writeHead(upstream.status, upstream.headers);
          res.end(upstream.body);
        })
        .catch((error: Error) => {
          res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(
            JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: error.message }),
          );
        });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<Upstream> {
    const body = await collect(req);
    const refusal = this.key
      ? checkSignature({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers }, this.key, body)
      : undefined;
    if (refusal) {
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: Buffer.from(
          JSON.stringify({
            __type: `com.amazon.coral.service#${JSON_REFUSALS[refusal.code]}`,
            message: refusal.message,
          }),
        ),
      };
    }
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (operation === 'CreateTable' || operation === 'DeleteTable') this.keySchemas.clear();
    if (!WRITE_OPERATIONS.has(operation)) return this.forward(req.method ?? 'POST', req.url ?? '/', req.headers, body);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return this.forward(req.method ?? 'POST', req.url ?? '/', req.headers, body);
    }
    const tables =
      operation === 'BatchWriteItem'
        ? Object.keys((input.RequestItems as Record<string, unknown>) ?? {})
        : [String(input.TableName ?? '')];
    if (!tables.some((table) => this.observerOf(table))) {
      return this.forward(req.method ?? 'POST', req.url ?? '/', req.headers, body);
    }
    return this.observedWrite(operation, input, req, body);
  }

  private async observedWrite(
    operation: string,
    input: Record<string, unknown>,
    req: IncomingMessage,
    body: Buffer,
  ): Promise<Upstream> {
    // Admission, one write at a time in arrival order: find its keys (the key schema may take a
    // DescribeTable) and queue it behind the earlier writes of the same keys and partitions.
    const admitted = this.admission.then(async () => {
      const candidates = await this.candidates(operation, input, req.headers);
      return {
        candidates,
        keys: this.keyTurns.enter(candidates.map((candidate) => `${candidate.table}|${candidate.keyId}`)),
        partitions: this.partitionTurns.enter(candidates.map((candidate) => candidate.partition)),
      };
    });
    this.admission = admitted.catch(() => undefined);
    const { candidates, keys, partitions } = await admitted;
    try {
      await keys.turn;
      const { upstream, inserts } = await this.checkAndWrite(operation, req, body, candidates);
      keys.leave(); // the keys are written: the next writer of one may check it (leaving again below is a no-op)
      await partitions.turn;
      for (const [table, items] of inserts) this.observerOf(table)?.(items);
      return upstream;
    } finally {
      keys.leave();
      partitions.leave();
    }
  }

  /** The existence check and the write: what dynalite answered, and the items that are new. */
  private async checkAndWrite(
    operation: string,
    req: IncomingMessage,
    body: Buffer,
    candidates: Candidate[],
  ): Promise<{ upstream: Upstream; inserts: Map<string, NewItemWrite[]> }> {
    const headers = req.headers;
    const existing = await this.existingKeys(candidates, headers);
    const upstream = await this.forward(req.method ?? 'POST', req.url ?? '/', headers, body);
    const byTable = new Map<string, NewItemWrite[]>();
    if (upstream.status !== 200) return { upstream, inserts: byTable };
    const unprocessed = operation === 'BatchWriteItem' ? unprocessedKeys(upstream.body, candidates) : new Set<string>();
    for (const candidate of candidates) {
      const id = `${candidate.table}|${candidate.keyId}`;
      if (existing.has(id) || unprocessed.has(id)) continue;
      let newImage = candidate.item;
      if (newImage === undefined) {
        // UpdateItem: the new image is whatever the update produced.
        newImage = await this.getItem(candidate.table, candidate.key, headers);
        if (newImage === undefined) continue;
      }
      const list = byTable.get(candidate.table) ?? [];
      list.push({ table: candidate.table, keys: candidate.key, newImage });
      byTable.set(candidate.table, list);
    }
    return { upstream, inserts: byTable };
  }

  private async candidates(
    operation: string,
    input: Record<string, unknown>,
    headers: IncomingHttpHeaders,
  ): Promise<Candidate[]> {
    const result: Candidate[] = [];
    const add = async (table: string, source: WireItem | undefined, item?: WireItem) => {
      if (!this.observerOf(table) || !source) return;
      const keyNames = await this.keyNames(table, headers);
      const key = keyNames && pickKey(source, keyNames);
      if (!keyNames || !key) return;
      const partition = `${table}|${JSON.stringify(key[keyNames[0] as string])}`;
      result.push({ table, key, keyId: keyString(key, keyNames), partition, ...(item ? { item } : {}) });
    };
    if (operation === 'PutItem') {
      await add(String(input.TableName), input.Item as WireItem, input.Item as WireItem);
    } else if (operation === 'UpdateItem') {
      await add(String(input.TableName), input.Key as WireItem);
    } else {
      const requests = (input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item?: WireItem } }[]>;
      for (const [table, writes] of Object.entries(requests)) {
        for (const write of writes) {
          const item = write.PutRequest?.Item;
          if (item) await add(table, item, item);
        }
      }
    }
    return result;
  }

  /** `${table}|${keyId}` of the candidates that already exist. */
  private async existingKeys(
    candidates: { table: string; key: WireItem; keyId: string }[],
    headers: IncomingHttpHeaders,
  ): Promise<Set<string>> {
    const existing = new Set<string>();
    for (let start = 0; start < candidates.length; start += 100) {
      const chunk = candidates.slice(start, start + 100);
      let requestItems: Record<string, { Keys: WireItem[]; ConsistentRead: boolean }> = {};
      for (const { table, key } of chunk) {
        const entry = requestItems[table] ?? { Keys: [], ConsistentRead: true };
        if (!entry.Keys.some((known) => JSON.stringify(known) === JSON.stringify(key))) entry.Keys.push(key);
        requestItems[table] = entry;
      }
      while (Object.keys(requestItems).length > 0) {
        const answer = await this.call('BatchGetItem', { RequestItems: requestItems }, headers);
        const responses = (answer.Responses ?? {}) as Record<string, WireItem[]>;
        for (const [table, items] of Object.entries(responses)) {
          const keyNames = this.keySchemas.get(table) ?? [];
          for (const item of items) {
            const key = pickKey(item, keyNames);
            if (key) existing.add(`${table}|${keyString(key, keyNames)}`);
          }
        }
        requestItems = (answer.UnprocessedKeys ?? {}) as typeof requestItems;
      }
    }
    return existing;
  }

  private async getItem(table: string, key: WireItem, headers: IncomingHttpHeaders) {
    const answer = await this.call('GetItem', { TableName: table, Key: key, ConsistentRead: true }, headers);
    return answer.Item as WireItem | undefined;
  }

  private async keyNames(table: string, headers: IncomingHttpHeaders): Promise<string[] | undefined> {
    const known = this.keySchemas.get(table);
    if (known) return known;
    try {
      const answer = await this.call('DescribeTable', { TableName: table }, headers);
      const schema = (answer.Table as { KeySchema?: { AttributeName: string; KeyType: string }[] } | undefined)
        ?.KeySchema;
      if (!schema) return undefined;
      const hash = schema.filter((entry) => entry.KeyType === 'HASH');
      const names = [...hash, ...schema.filter((entry) => entry.KeyType !== 'HASH')].map(
        (entry) => entry.AttributeName,
      );
      this.keySchemas.set(table, names);
      return names;
    } catch {
      return undefined; // no such table: the write will fail upstream with the real error
    }
  }

  /** A JSON call to dynalite, signed like the request it serves (dynalite checks the form only). */
  private async call(operation: string, input: unknown, headers: IncomingHttpHeaders) {
    const body = Buffer.from(JSON.stringify(input));
    const forwarded: IncomingHttpHeaders = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      host: headers.host,
      authorization: headers.authorization,
      'x-amz-date': headers['x-amz-date'],
      ...(headers['x-amz-security-token'] ? { 'x-amz-security-token': headers['x-amz-security-token'] } : {}),
    };
    const upstream = await this.forward('POST', '/', forwarded, body);
    const answer = JSON.parse(upstream.body.toString('utf8') || '{}') as Record<string, unknown>;
    if (upstream.status !== 200) throw new Error(`${operation}: ${String(answer.message ?? upstream.status)}`);
    return answer;
  }

  private forward(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: '127.0.0.1',
          port: this.upstreamPort,
          method,
          path,
          headers: { ...headers, 'content-length': String(body.length) },
        },
        (response) => {
          collect(response)
            .then((responseBody) => {
              const responseHeaders = { ...response.headers };
              delete responseHeaders['transfer-encoding'];
              responseHeaders['content-length'] = String(responseBody.length);
              resolve({ status: response.statusCode ?? 500, headers: responseHeaders, body: responseBody });
            })
            .catch(reject);
        },
      );
      outgoing.once('error', reject);
      outgoing.end(body);
    });
  }
}

function collect(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** Keys (`${table}|${keyId}`) of BatchWriteItem puts that dynalite handed back as unprocessed. */
function unprocessedKeys(body: Buffer, candidates: { table: string; key: WireItem; keyId: string }[]): Set<string> {
  const result = new Set<string>();
  let answer: { UnprocessedItems?: Record<string, { PutRequest?: { Item?: WireItem } }[]> };
  try {
    answer = JSON.parse(body.toString('utf8'));
  } catch {
    return result;
  }
  for (const [table, writes] of Object.entries(answer.UnprocessedItems ?? {})) {
    for (const write of writes) {
      const item = write.PutRequest?.Item;
      if (!item) continue;
      for (const candidate of candidates) {
        if (candidate.table !== table) continue;
        const names = Object.keys(candidate.key);
        const key = pickKey(item, names);
        if (
          key &&
          JSON.stringify(names.map((name) => key[name])) === JSON.stringify(names.map((name) => candidate.key[name]))
        ) {
          result.add(`${table}|${candidate.keyId}`);
        }
      }
    }
  }
  return result;
}
