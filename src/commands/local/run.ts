/**
 * `stockpipe local start|stop|status|reset`: drive the embedded offline stack by hand. Other commands
 * with `--target local` start it on demand; these make it visible and controllable.
 */
import { relative } from 'node:path';
import { formatDuration } from '../../core/duration.ts';
import { CancelledError, NOTHING_CHANGED, UsageError } from '../../errors.ts';
import type { LocalStackStatus } from '../../local/stack.ts';
import type { LocalEndpoints } from '../../local/state.ts';
import type { IO } from '../../ui/io.ts';
import type { Prompter } from '../../ui/prompt.ts';
import { suggestPlain } from '../shared/pipeline-flags.ts';

export interface LocalDeps {
  io: IO;
  cwd: string;
  /** Tests answer the confirmation here. */
  prompter?: Prompter;
  /** How the person runs stockpipe, for suggested commands (default `stockpipe`). */
  invocation?: string;
}

export async function runLocalStart({ io, cwd, invocation }: LocalDeps): Promise<number> {
  const { ensureLocalStack } = await import('../../local/stack.ts');
  const { state, started } = await ensureLocalStack(cwd);
  const stateDir = relative(cwd, (await import('../../local/paths.ts')).localPaths(cwd).root) || '.';
  if (io.json) {
    io.outJson({
      started,
      pid: state.pid,
      startedAt: state.startedAt,
      endpoints: urlsOf(state.endpoints),
      ports: state.ports,
      stateDir,
    });
    return 0;
  }
  io.out(`local stack ${started ? 'started' : 'already running'} (pid ${state.pid})`);
  io.out(`  kinesis   ${state.endpoints.kinesis}`);
  io.out(`  dynamodb  ${state.endpoints.dynamodb}`);
  io.out(`  s3        ${state.endpoints.s3}`);
  io.err(io.errStyle.dim(`state in ${stateDir}; stop it with: \`${suggestPlain(invocation, 'local stop')}\``));
  return 0;
}

/** The endpoints without the stack's key: status and start print where, `local env` prints the key. */
function urlsOf(endpoints: LocalEndpoints): Omit<LocalEndpoints, 'credentials'> {
  const { credentials: _key, ...urls } = endpoints;
  return urls;
}

/**
 * `local env`: what one's own producer or the AWS CLI needs to reach the running stack, as shell
 * exports (`eval "$(npx stockpipe local env)"`) or one JSON document. Starts the stack if needed:
 * its ports change with each start.
 */
export async function runLocalEnv({ io, cwd }: LocalDeps): Promise<number> {
  const { ensureLocalStack } = await import('../../local/stack.ts');
  const { LOCAL_REGION } = await import('../../local/constants.ts');
  const { endpoints } = await ensureLocalStack(cwd);
  const variables = {
    AWS_ACCESS_KEY_ID: endpoints.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: endpoints.credentials.secretAccessKey,
    AWS_REGION: LOCAL_REGION,
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
  };
  if (io.json) io.outJson(variables);
  else for (const [name, value] of Object.entries(variables)) io.out(`export ${name}=${value}`);
  return 0;
}

export async function runLocalStop({ io, cwd }: LocalDeps): Promise<number> {
  const { stopLocalStack } = await import('../../local/stack.ts');
  const result = await stopLocalStack(cwd);
  if (io.json) {
    io.outJson({ stopped: result.stopped, pid: result.pid ?? null, staleRemoved: result.staleRemoved === true });
    return 0;
  }
  if (result.stopped) io.out(`local stack stopped (pid ${result.pid})`);
  else if (result.staleRemoved) io.out(`local stack was not running (removed the state of dead process ${result.pid})`);
  else io.out('local stack was not running');
  return 0;
}

/**
 * `stockpipe local reset`: the way out of a damaged store. Stops the stack (whatever state it is
 * in) and deletes .stockpipe/local whole: every local pipeline's stream, tables, lake, logs and
 * positions. Nothing is kept, and it says so before and after.
 */
export async function runLocalReset({ io, cwd, prompter, invocation }: LocalDeps): Promise<number> {
  const { localPaths } = await import('../../local/paths.ts');
  const paths = localPaths(cwd);
  const shown = relative(cwd, paths.root) || '.';
  if (!io.yes && !io.canPrompt) {
    throw new UsageError(
      `local reset deletes ${shown} and keeps nothing (every local pipeline's stream, tables, lake and logs): pass --yes to confirm`,
    );
  }
  const { existsSync, rmSync } = await import('node:fs');
  if (!existsSync(paths.root)) {
    if (io.json) io.outJson({ reset: false, deleted: null });
    else io.out(`nothing to reset: ${shown} does not exist`);
    return 0;
  }
  if (!io.yes) {
    io.err(`This stops the local stack and deletes ${shown}: every local pipeline's stream, tables, lake and logs.`);
    const answer = await (prompter ?? (await import('../../ui/prompt.ts')).inquirerPrompter(io)).input(
      'Type reset to confirm:',
    );
    if (answer.trim() !== 'reset') throw new CancelledError(NOTHING_CHANGED);
  }
  const { stopLocalStack, killStackProcesses } = await import('../../local/stack.ts');
  await stopLocalStack(cwd).catch(() => undefined); // a stack that cannot stop cleanly is killed below
  await killStackProcesses(cwd);
  rmSync(paths.root, { recursive: true, force: true });
  if (io.json) {
    io.outJson({ reset: true, deleted: shown });
    return 0;
  }
  io.out(`deleted ${shown}: the local stack is stopped and nothing of it was kept`);
  io.err(io.errStyle.dim(`create a pipeline again with: \`${suggestPlain(invocation, 'setup --target local')}\``));
  return 0;
}

export async function runLocalStatus({ io, cwd, invocation }: LocalDeps): Promise<number> {
  const { localStackStatus } = await import('../../local/stack.ts');
  const status = await localStackStatus(cwd);
  if (io.json) {
    io.outJson({ ...status, endpoints: status.endpoints && urlsOf(status.endpoints) });
    return 0;
  }
  for (const line of describeStatus(status, io, invocation)) io.out(line);
  return 0;
}

export function describeStatus(status: LocalStackStatus, io: Pick<IO, 'style'>, invocation?: string): string[] {
  const lines: string[] = [];
  if (!status.running) {
    lines.push(
      `local stack: ${io.style.yellow('stopped')}${status.stale ? ` (process ${status.pid} died; its state is stale)` : ''}`,
    );
    lines.push(io.style.dim(`  start it with: \`${suggestPlain(invocation, 'local start')}\``));
  } else {
    lines.push(
      `local stack: ${io.style.green('running')}  pid ${status.pid}  up ${formatDuration(status.uptimeMs ?? 0)}`,
    );
    if (status.endpoints) {
      lines.push(
        `  kinesis   ${status.endpoints.kinesis}${status.kinesisPersistent ? '' : io.style.dim('  (in memory: drained on stop)')}`,
      );
      lines.push(`  dynamodb  ${status.endpoints.dynamodb}`);
      lines.push(`  s3        ${status.endpoints.s3}`);
    }
    if (status.daemon === null) lines.push(io.style.yellow('  the stack process does not answer its control endpoint'));
    const disk = status.daemon?.disk;
    if (disk?.full) {
      lines.push(
        io.style.red(
          `  disk full: ${Math.floor(disk.freeBytes / 1048576)} MB free, below the ${Math.floor(disk.reserveBytes / 1048576)} MB reserve; writes are refused (and retried) until space returns`,
        ),
      );
    }
  }
  lines.push(`state: ${status.stateDir}`);
  if (status.pipelines.length === 0) {
    lines.push('pipelines: none registered');
    return lines;
  }
  lines.push('pipelines:');
  const running = new Map((status.daemon?.pipelines ?? []).map((pipeline) => [pipeline.name, pipeline]));
  for (const pipeline of status.pipelines) {
    lines.push(
      `  ${pipeline.name}  stream ${pipeline.stream} · table ${pipeline.quotesTable} · bucket ${pipeline.rawBucket}`,
    );
    for (const fn of running.get(pipeline.name)?.functions ?? []) {
      const counts = [
        `${fn.recordsSucceeded}/${fn.recordsRead} records`,
        `${fn.invocations} invocations`,
        fn.functionErrors ? `${fn.functionErrors} errors` : '',
        fn.partialFailures ? `${fn.partialFailures} partial failures` : '',
        fn.retries ? `${fn.retries} retries` : '',
        fn.iteratorAgeMs >= 1000 ? io.style.yellow(`${formatDuration(fn.iteratorAgeMs)} behind`) : '',
        fn.pendingStreamRecords ? `${fn.pendingStreamRecords} waiting` : '',
        fn.recordsToFailure ? io.style.red(`${fn.recordsToFailure} records given up on (raw bucket, aws/lambda/)`) : '',
      ].filter(Boolean);
      lines.push(`    ${fn.function.padEnd(24)} ${counts.join(' · ')}`);
      if (fn.waitingFor) lines.push(io.style.yellow(`      waiting: ${fn.waitingFor}`));
    }
  }
  return lines;
}
