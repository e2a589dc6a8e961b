/**
 * A single-node Trino 476 — the engine behind Athena engine 3 — for the conformance suite: started
 * from the jars scripts/install-trino.sh puts under $HOME/.cache/stockpipe/trino-476, on a free
 * loopback port, with one Hive catalog named `awsdatacatalog` (Athena's name for the Glue Data
 * Catalog, which the views' definitions name) over a file metastore and a local folder standing in
 * for S3, partition projection on. Queried over Trino's REST protocol (POST /v1/statement, then
 * follow nextUri), as its own clients do.
 *
 * The Glue entries setup writes are turned into the file metastore's table files by
 * {@link writeGlueTable}: the same columns, SerDe, parameters (partition projection included),
 * owner and view text, with `s3://` locations mapped onto the local folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TableInput } from '@aws-sdk/client-glue';
import { freePort } from '../../helpers/free-port.ts';
import { waitFor } from '../../helpers/wait.ts';

/** The file metastore reads only entries stamped with its own version. */
const TRINO_VERSION = '476';

/** Athena's name for the Glue Data Catalog: the catalog a Glue-made view's definition names. */
export const TRINO_CATALOG = 'awsdatacatalog';

export function trinoHome(): string {
  return process.env.STOCKPIPE_TRINO_HOME ?? join(homedir(), '.cache/stockpipe/trino-476');
}

export function trinoJavaHome(): string {
  return process.env.STOCKPIPE_TRINO_JAVA_HOME ?? '/usr/lib/jvm/temurin-25-jdk-amd64';
}

function installed(): boolean {
  return existsSync(join(trinoHome(), '.installed')) && existsSync(join(trinoJavaHome(), 'bin/java'));
}

/**
 * For `describe(..., { skip: trinoSkipReason() })`. In CI nothing skips: a missing Trino is a
 * broken install (.ci/run installs it), so the test runs and {@link startTrino} fails saying so.
 */
export function trinoSkipReason(): string | false {
  if (installed() || process.env.CI === 'true') return false;
  return `Trino 476 is not installed (or no Java 24+ at ${trinoJavaHome()}): run scripts/install-trino.sh`;
}

export interface TrinoColumn {
  name: string;
  type: string;
}

export interface TrinoResult {
  columns: TrinoColumn[];
  rows: unknown[][];
}

export interface Trino {
  endpoint: string;
  /** Seconds from spawning the JVM until the server took queries. */
  startSeconds: number;
  /** The folder `local:///` stands for: lay the lake's objects under it. */
  root: string;
  /** Runs one statement in `schema` of the catalog; a failed query rejects with Trino's message. */
  query(sql: string, schema: string): Promise<TrinoResult>;
  stop(): Promise<void>;
}

const properties = (entries: Record<string, string | number | boolean>) =>
  `${Object.entries(entries)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;

export async function startTrino(): Promise<Trino> {
  if (!installed()) {
    throw new Error(
      `Trino 476 is not installed in ${trinoHome()} (or no Java at ${trinoJavaHome()}): run scripts/install-trino.sh`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'stockpipe-trino-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'metastore'), { recursive: true });
  mkdirSync(join(dir, 'etc/catalog'), { recursive: true });
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'etc/config.properties'),
    properties({
      coordinator: true,
      'node-scheduler.include-coordinator': true,
      'http-server.http.port': port,
      'discovery.uri': endpoint,
      'query.max-memory': '256MB',
      'query.max-memory-per-node': '256MB',
      // One node, its own worker: a heartbeat missed while a loaded CI machine starves the JVM
      // must not mark it failed and leave no node to run on.
      'failure-detector.enabled': false,
    }),
  );
  writeFileSync(
    join(dir, 'etc/catalog', `${TRINO_CATALOG}.properties`),
    properties({
      'connector.name': 'hive',
      'hive.metastore': 'file',
      'hive.metastore.catalog.dir': 'local:///metastore',
      'fs.native-local.enabled': true,
      'local.location': root,
      'hive.partition-projection-enabled': true,
      // On S3 a projected partition with no objects is an empty prefix: Athena reads nothing there.
      // A folder, unlike a prefix, can be absent: read that as empty too, not as an error.
      'hive.ignore-absent-partitions': true,
      // Athena writes its tables (all external: a location of one's own) with INSERT INTO, which is
      // how `compact` fills the compacted ones; Trino refuses writes to a non-managed table unless told.
      'hive.non-managed-table-writes-enabled': true,
    }),
  );
  const java = join(trinoJavaHome(), 'bin/java');
  const started = performance.now();
  const child: ChildProcess = spawn(
    java,
    [
      '-Xmx1G',
      '-XX:+UseSerialGC',
      '-Djdk.attach.allowAttachSelf=true',
      '--enable-native-access=ALL-UNNAMED',
      '-Dnode.environment=stockpipe_test',
      '-Dnode.id=stockpipe-test',
      // Loopback only: the node serves and calls itself (as its own worker) on 127.0.0.1, never on
      // the machine's other addresses.
      '-Dnode.internal-address=127.0.0.1',
      '-Dnode.bind-ip=127.0.0.1',
      `-Dnode.data-dir=${join(dir, 'data')}`,
      `-Dconfig=${join(dir, 'etc/config.properties')}`,
      `-Dcatalog.config-dir=${join(dir, 'etc/catalog')}`,
      `-Dplugin.dir=${join(trinoHome(), 'plugin')}`,
      '-cp',
      `${join(trinoHome(), 'lib')}/*`,
      'io.trino.server.TrinoServer',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);

  const stop = async () => {
    process.removeListener('exit', kill);
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`Trino exited with ${child.exitCode}: ${log.slice(-2000)}`);
        const info = await fetch(`${endpoint}/v1/info`).catch(() => undefined);
        return info?.ok && ((await info.json()) as { starting?: boolean }).starting === false;
      },
      'Trino to start',
      { timeoutMs: 180_000, intervalMs: 250 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  // Started is not ready: the node must also have announced itself, with the lake's catalog, to run
  // a query's tasks ("No nodes available to run query" until then). A query on that catalog says so.
  await waitFor(
    async () => {
      const schemata = await runStatement(
        endpoint,
        `SELECT count(*) FROM ${TRINO_CATALOG}.information_schema.schemata`,
        'information_schema',
      ).catch(() => undefined);
      return Number(schemata?.rows[0]?.[0] ?? 0) > 0;
    },
    'Trino’s node to serve the lake’s catalog',
    { timeoutMs: 60_000, intervalMs: 250 },
  ).catch(async (error) => {
    await stop();
    throw error;
  });
  const startSeconds = (performance.now() - started) / 1000;

  return {
    endpoint,
    startSeconds,
    root,
    query: (sql, schema) => runUntilScheduled(endpoint, sql, schema),
    stop,
  };
}

interface StatementResponse {
  nextUri?: string;
  columns?: TrinoColumn[];
  data?: unknown[][];
  error?: { message: string; errorName?: string };
}

/** Trino answers this before it has run anything: the node is not (or no longer) announced. */
const NO_NODES = 'NO_NODES_AVAILABLE';

/**
 * A statement submitted again while Trino has no node to schedule it on (a single node's
 * announcement can lapse for a moment on a loaded machine); any other error is the answer.
 */
async function runUntilScheduled(endpoint: string, sql: string, schema: string): Promise<TrinoResult> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    try {
      return await runStatement(endpoint, sql, schema);
    } catch (error) {
      if (!(error instanceof TrinoError) || error.errorName !== NO_NODES || performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

class TrinoError extends Error {
  readonly errorName: string | undefined;
  constructor(message: string, errorName: string | undefined) {
    super(message);
    this.errorName = errorName;
  }
}

/** Trino's client protocol: submit, then follow nextUri until there is none, gathering rows. */
async function runStatement(endpoint: string, sql: string, schema: string): Promise<TrinoResult> {
  const headers = { 'X-Trino-User': 'stockpipe', 'X-Trino-Catalog': TRINO_CATALOG, 'X-Trino-Schema': schema };
  let response = await fetch(`${endpoint}/v1/statement`, { method: 'POST', body: sql, headers });
  let columns: TrinoColumn[] | undefined;
  const rows: unknown[][] = [];
  for (;;) {
    if (!response.ok) throw new Error(`Trino answered HTTP ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as StatementResponse;
    if (body.error) throw new TrinoError(body.error.message, body.error.errorName);
    columns ??= body.columns;
    rows.push(...(body.data ?? []));
    if (!body.nextUri) break;
    response = await fetch(body.nextUri, { headers });
  }
  return { columns: columns ?? [], rows };
}

/** The file metastore's schema entry for a Glue database. */
export function writeSchema(root: string, schema: string): void {
  writeFileSync(
    join(root, 'metastore', `.${schema}.trinoSchema`),
    JSON.stringify({ writerVersion: TRINO_VERSION, ownerName: 'stockpipe', ownerType: 'USER', parameters: {} }),
  );
  mkdirSync(join(root, 'metastore', schema), { recursive: true });
}

/** `s3://bucket/key` → `local:///bucket/key`: the lake's objects are laid under the root by key. */
export function localLocation(location: string): string {
  return location.replace(/^s3:\/\//, 'local:///');
}

/**
 * A Glue table or view as the file metastore stores it (`<schema>/<table>/.trinoSchema`): the
 * fields of Glue's TableInput under the names Trino's file metastore gives them. Nothing is
 * added: a Glue entry lacking something Trino needs (an owner for a definer view) lacks it here.
 */
export function writeGlueTable(root: string, schema: string, table: TableInput): void {
  const storage = table.StorageDescriptor;
  const isView = table.TableType === 'VIRTUAL_VIEW';
  const parameters = Object.fromEntries(
    Object.entries(table.Parameters ?? {}).map(([key, value]) => [key, localLocation(value)]),
  );
  const column = (c: { Name?: string | undefined; Type?: string | undefined }) => ({
    name: c.Name,
    type: c.Type,
    properties: {},
  });
  const metadata = {
    writerVersion: TRINO_VERSION,
    ...(table.Owner !== undefined ? { owner: table.Owner } : {}),
    tableType: table.TableType,
    dataColumns: (storage?.Columns ?? []).map(column),
    partitionColumns: (table.PartitionKeys ?? []).map(column),
    parameters,
    originalStorageFormat: isView
      ? {}
      : {
          serde: storage?.SerdeInfo?.SerializationLibrary,
          inputFormat: storage?.InputFormat,
          outputFormat: storage?.OutputFormat,
        },
    serdeParameters: storage?.SerdeInfo?.Parameters ?? {},
    ...(isView ? {} : { externalLocation: localLocation(storage?.Location ?? '') }),
    ...(table.ViewOriginalText !== undefined ? { viewOriginalText: table.ViewOriginalText } : {}),
    ...(table.ViewExpandedText !== undefined ? { viewExpandedText: table.ViewExpandedText } : {}),
    columnStatistics: {},
  };
  const folder = join(root, 'metastore', schema, table.Name ?? '');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, '.trinoSchema'), JSON.stringify(metadata, null, 2));
}
