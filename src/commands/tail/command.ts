import { PipelineNotFoundError, StockpipeError } from '../../errors.ts';
import { LOG_FORMATS } from '../../logs/render.ts';
import { defineCommand, type FlagSpec, type FlagsOf } from '../command.ts';
import { noLocalPipeline, pipelineAddress } from '../shared/pipeline-flags.ts';

const TAIL_FLAGS = [
  { syntax: '-f, --follow', description: 'keep polling for new events (every 1–2 s) until Ctrl+C' },
  { syntax: '--since <time>', description: 'start this long ago (10m, 2h, 1d) or at an ISO time (default 10m)' },
  {
    syntax: '--filter <pattern>',
    description: 'CloudWatch Logs filter pattern, e.g. ERROR or "{ $.level = \\"ERROR\\" }"',
  },
  {
    syntax: '--format <format>',
    description: 'short (default), detailed, or json (one object per line)',
    choices: LOG_FORMATS,
  },
  { syntax: '--all', description: 'also Lambda’s own START, END and REPORT lines (duration, memory)' },
  {
    syntax: '--idle-exit <duration>',
    description: 'with --follow: stop after this long without new events (for scripts)',
  },
] as const satisfies readonly FlagSpec[];

/** The flags as `parse` receives them. */
export type TailFlags = FlagsOf<typeof TAIL_FLAGS>;

export default defineCommand({
  name: 'tail',
  needsPipeline: true,
  summary: 'show the ingest and trends functions’ logs, interleaved in time order',
  arguments: [{ syntax: '[function]', description: 'ingest | trends | all (default: all)' }],
  flags: TAIL_FLAGS,
  details: 'Waits quietly while a log group does not exist yet. Errors and timeouts are shown in red.',
  examples: [
    { command: 'stockpipe tail', note: 'the last 10 minutes of both functions' },
    { command: 'stockpipe tail ingest --since 1h --format detailed' },
    { command: 'stockpipe tail --follow --filter ERROR' },
    { command: 'stockpipe tail trends --since 2026-11-22T14:00:00Z --json' },
    { command: 'stockpipe tail -f --idle-exit 2m', note: 'follow, stop after 2 minutes of silence' },
  ],
  async parse(flags, { args, now, json }) {
    const { planTail } = await import('./run.ts');
    const [fn] = args;
    return planTail({ ...flags, ...(fn !== undefined ? { fn } : {}) }, { now: now.getTime(), json });
  },
  async run(plan, context) {
    const { io, settings, target, signal } = context;
    const { runTail } = await import('./run.ts');
    const reported = new Set<string>();
    return runTail(plan, {
      io,
      signal,
      createSource: (functions) =>
        target
          .logSource(settings.name, functions, (group) => {
            if (!reported.has(group)) io.debug(`log group ${group} does not exist yet: waiting`);
            reported.add(group);
          })
          .catch((error: unknown) => {
            if (error instanceof PipelineNotFoundError) {
              throw new StockpipeError(noLocalPipeline(pipelineAddress(context)));
            }
            throw error;
          }),
    });
  },
});
