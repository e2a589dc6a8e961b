import { UsageError } from '../../errors.ts';
import { type LogFormat, parseLogMessage, renderDetailed, renderShort, toJsonRecord } from '../../logs/render.ts';
import { LOG_FUNCTIONS, type LogEventSource, type LogFunction } from '../../logs/source.ts';
import { tailLogs } from '../../logs/tail.ts';
import type { IO } from '../../ui/io.ts';
import { parseNonNegativeDuration, parseSinceTime } from '../shared/since.ts';
import type { TailFlags } from './command.ts';

/** The flags (--format one of LOG_FORMATS, by its spec) and the function argument. */
export type TailOptions = TailFlags & {
  /** The function whose logs to show: ingest | trends | all (default all). */
  fn?: string;
};

export interface TailPlan {
  functions: LogFunction[];
  since: number;
  follow: boolean;
  filterPattern?: string;
  format: LogFormat;
  idleExitMs?: number;
  /** Show Lambda's platform lines (hidden by default: two thirds of a quiet log). */
  all: boolean;
}

export interface TailDeps {
  io: IO;
  signal: AbortSignal;
  /** The log source for these functions; created only after the flags are valid. */
  createSource: (functions: LogFunction[]) => Promise<LogEventSource>;
  now?: () => number;
  /** Poll timing, for tests (default 1–2 s). */
  pollMs?: { min: number; max: number };
}

export const DEFAULT_TAIL_SINCE = '10m';

export function planTail(options: TailOptions, context: { now: number; json: boolean }): TailPlan {
  const fn = options.fn ?? 'all';
  let functions: LogFunction[];
  if (fn === 'all') functions = [...LOG_FUNCTIONS];
  else if ((LOG_FUNCTIONS as readonly string[]).includes(fn)) functions = [fn as LogFunction];
  else throw new UsageError(`unknown function '${fn}': use ingest, trends or all`);

  let format: LogFormat = context.json ? 'json' : 'short';
  if (options.format !== undefined) {
    if (context.json && options.format !== 'json') {
      throw new UsageError(`--json prints JSON: drop --json to get --format ${options.format}`);
    }
    format = options.format;
  }

  let idleExitMs: number | undefined;
  if (options.idleExit !== undefined) {
    if (!options.follow) throw new UsageError('--idle-exit applies to --follow');
    idleExitMs = parseNonNegativeDuration(options.idleExit, '--idle-exit');
  }
  if (options.filter !== undefined && options.filter.trim() === '') throw new UsageError('--filter is empty');

  return {
    functions,
    since: parseSinceTime(options.since ?? DEFAULT_TAIL_SINCE, context.now),
    follow: options.follow === true,
    ...(options.filter !== undefined ? { filterPattern: options.filter } : {}),
    format,
    ...(idleExitMs !== undefined ? { idleExitMs } : {}),
    all: options.all === true,
  };
}

export async function runTail(plan: TailPlan, deps: TailDeps): Promise<number> {
  const { io } = deps;
  const now = deps.now ?? Date.now;
  const source = await deps.createSource(plan.functions);
  let shown = 0;
  if (plan.follow && io.isInteractive) {
    io.err(io.errStyle.dim(`following ${plan.functions.join(' + ')} logs — Ctrl+C to stop`));
  }
  const end = await tailLogs(
    source,
    {
      since: plan.since,
      follow: plan.follow,
      ...(plan.filterPattern ? { filterPattern: plan.filterPattern } : {}),
      ...(plan.idleExitMs !== undefined ? { idleExitMs: plan.idleExitMs } : {}),
      ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
    },
    (event) => {
      const parsed = parseLogMessage(event.message);
      if (parsed.platform && !plan.all) return;
      shown++;
      if (plan.format === 'json') io.outJsonLine(toJsonRecord(event, parsed));
      else if (plan.format === 'detailed') io.out(renderDetailed(event, parsed, io.style));
      else io.out(renderShort(event, parsed, io.style));
    },
    { signal: deps.signal, now, onNotice: (message) => io.err(io.errStyle.yellow(message)) },
  );
  if (end === 'idle') io.debug('no new events for the --idle-exit duration: stopping');
  if (shown === 0 && !io.json) {
    const what = `no log events of ${plan.functions.join(' or ')} since ${new Date(plan.since).toISOString()}`;
    io.err(
      `${what}${plan.filterPattern ? ` matching ${plan.filterPattern}` : ''}${plan.all ? '' : ' (Lambda platform lines hidden: --all shows them)'}`,
    );
  }
  return 0;
}
