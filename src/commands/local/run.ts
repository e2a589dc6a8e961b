/**
 * `stockpipe local start|stop|status`: drive the embedded offline stack by hand. Other commands
 * with `--target local` start it on demand; these make it visible and controllable.
 */
import { relative } from 'node:path';
import { formatDuration } from '../../core/duration.ts';
import type { LocalStackStatus } from '../../local/stack.ts';
import type { IO } from '../../ui/io.ts';

export interface LocalDeps {
  io: IO;
  cwd: string;
}

export async function runLocalStart({ io, cwd }: LocalDeps): Promise<number> {
  const { ensureLocalStack } = await import('../../local/stack.ts');
  const { state, started } = await ensureLocalStack(cwd);
  const stateDir = relative(cwd, (await import('../../local/paths.ts')).localPaths(cwd).root) || '.';
  if (io.json) {
    io.outJson({
      started,
      pid: state.pid,
      startedAt: state.startedAt,
      endpoints: state.endpoints,
      ports: state.ports,
      stateDir,
    });
    return 0;
  }
  io.out(`local stack ${started ? 'started' : 'already running'} (pid ${state.pid})`);
  io.out(`  kinesis   ${state.endpoints.kinesis}`);
  io.out(`  dynamodb  ${state.endpoints.dynamodb}`);
  io.out(`  s3        ${state.endpoints.s3}`);
  io.err(io.errStyle.dim(`state in ${stateDir}; stop it with: stockpipe local stop`));
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

export async function runLocalStatus({ io, cwd }: LocalDeps): Promise<number> {
  const { localStackStatus } = await import('../../local/stack.ts');
  const status = await localStackStatus(cwd);
  if (io.json) {
    io.outJson(status);
    return 0;
  }
  for (const line of describeStatus(status, io)) io.out(line);
  return 0;
}

export function describeStatus(status: LocalStackStatus, io: Pick<IO, 'style'>): string[] {
  const lines: string[] = [];
  if (!status.running) {
    lines.push(
      `local stack: ${io.style.yellow('stopped')}${status.stale ? ` (process ${status.pid} died; its state is stale)` : ''}`,
    );
    lines.push(io.style.dim('  start it with: stockpipe local start'));
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
