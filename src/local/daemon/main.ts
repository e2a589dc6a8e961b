/**
 * Entry point of the detached local-stack process (spawned by ensureLocalStack):
 *   node main.(ts|js) --cwd <dir> [--handler-loader <module URL>] [--kinesis-in-memory] [--disk-reserve-mb <n>]
 * Its stdout and stderr go to .stockpipe/local/logs/daemon.log.
 */
import { StockpipeError } from '../../errors.ts';
import { START_FAILURE_MARK } from '../constants.ts';
import { runDaemon } from './daemon.ts';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const cwd = argument('--cwd') ?? process.cwd();
// Everything the stack writes (emulator stores, logs, checkpoints) is the user's alone.
process.umask(0o077);
const stamp = () => new Date().toISOString();
// A stray rejection in one runner must not take the whole stack down; a thrown error does (the
// state file is then stale, and the next command starts a fresh stack).
process.on('unhandledRejection', (reason) => console.error(`${stamp()} unhandled rejection: ${String(reason)}`));
// daemon.log on a full disk: a line that cannot be written is lost, the stack stays up.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
const reserve = argument('--disk-reserve-mb');
try {
  await runDaemon({
    cwd,
    handlerLoader: argument('--handler-loader') ?? null,
    kinesisInMemory: process.argv.includes('--kinesis-in-memory'),
    ...(reserve !== undefined ? { diskReserveBytes: Number(reserve) * 1024 * 1024 } : {}),
  });
  process.exit(0);
} catch (error) {
  if (error instanceof Error && error.stack && !(error instanceof StockpipeError)) console.error(error.stack);
  // The last line is what `local start` (or any command that starts the stack) reports.
  console.error(`${stamp()} ${START_FAILURE_MARK}${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
