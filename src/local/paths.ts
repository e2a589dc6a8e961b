/**
 * Where the local target keeps each thing, all under `.stockpipe/local/` of the working directory.
 * One function owns the layout so the daemon, the commands and the tests cannot disagree.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LOCAL_STATE_DIR } from './constants.ts';

export interface LocalPaths {
  root: string;
  /** pid, ports, endpoints and start time of the running stack (absent when stopped). */
  stateFile: string;
  /** Held (created exclusively) while one process starts or stops the stack. */
  lockFile: string;
  /** Held by the daemon itself for its whole life: one stack per folder, whatever its starters do. */
  daemonLockFile: string;
  /** One `<name>.json` per registered pipeline; the daemon serves every file here. */
  pipelinesDir: string;
  kinesisDir: string;
  dynamodbDir: string;
  s3Dir: string;
  /** Handler logs (`<fn>.log`), `alerts.log` and the daemon's own `daemon.log`. */
  logsDir: string;
  daemonLog: string;
  alertsLog: string;
  /** On-failure destination: `<fn>.ndjson`, one record per batch the runner gave up on. */
  failuresDir: string;
  /** Runner positions: `<fn>.json`, so a restart resumes where it stopped. */
  checkpointsDir: string;
  /** The DynamoDB-stream substitute: `<table>.ndjson`, INSERT records in write order. */
  streamsDir: string;
  /** Function packages other than the built ones: `<fn>-<hash>.zip` (a trends zip with a user's strategy). */
  codeDir: string;
}

export function localPaths(cwd: string): LocalPaths {
  const root = resolve(cwd, LOCAL_STATE_DIR);
  const logsDir = join(root, 'logs');
  return {
    root,
    stateFile: join(root, 'stack.json'),
    lockFile: join(root, 'stack.lock'),
    daemonLockFile: join(root, 'daemon.lock'),
    pipelinesDir: join(root, 'pipelines'),
    kinesisDir: join(root, 'kinesis'),
    dynamodbDir: join(root, 'dynamodb'),
    s3Dir: join(root, 's3'),
    logsDir,
    daemonLog: join(logsDir, 'daemon.log'),
    alertsLog: join(logsDir, 'alerts.log'),
    failuresDir: join(root, 'failures'),
    checkpointsDir: join(root, 'checkpoints'),
    streamsDir: join(root, 'streams'),
    codeDir: join(root, 'code'),
  };
}

/** A file name that cannot escape its folder, for resource names used as file names. */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function functionLogFile(paths: LocalPaths, functionName: string): string {
  return join(paths.logsDir, `${safeFileName(functionName)}.log`);
}

/** Where a function's own package is kept, by content: a new package is a new path. */
export function functionCodeFile(paths: LocalPaths, functionName: string, sha256Hex: string): string {
  return join(paths.codeDir, `${safeFileName(functionName)}-${sha256Hex.slice(0, 16)}.zip`);
}

export function failureFile(paths: LocalPaths, functionName: string): string {
  return join(paths.failuresDir, `${safeFileName(functionName)}.ndjson`);
}

/**
 * False in a folder where the local stack never ran, and again once the last cleanup removed its
 * folder: then no local resource can exist, and only setup may start a stack to create some.
 */
export function localStateExists(cwd: string): boolean {
  return existsSync(localPaths(cwd).root);
}
