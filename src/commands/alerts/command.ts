import { pipelineNames } from '../../core/names.ts';
import { defineCommand, type FlagSpec, type FlagsOf } from '../command.ts';
import { pipelineAddress } from '../shared/pipeline-flags.ts';

const ALERTS_FLAGS = [
  { syntax: '--since <time>', description: 'published this long ago (1d, 6h) or after an ISO time (default 1d)' },
  { syntax: '--symbol <symbol>', description: 'only this symbol' },
  { syntax: '--limit <n>', description: 'at most this many (the newest)', whole: { min: 1 } },
] as const satisfies readonly FlagSpec[];

/** The flags as `parse` receives them. */
export type AlertsFlags = FlagsOf<typeof ALERTS_FLAGS>;

export default defineCommand({
  name: 'alerts',
  needsPipeline: true,
  summary: 'list the alerts the trends function published, newest first',
  flags: ALERTS_FLAGS,
  examples: [
    { command: 'stockpipe alerts' },
    { command: 'stockpipe alerts --since 7d --symbol AAPL' },
    { command: "stockpipe alerts --since 2026-11-22T00:00:00Z --json | jq '.[].signal'" },
  ],
  parse: async (flags, { now }) => (await import('./run.ts')).planAlerts(flags, now.getTime()),
  async run(plan, context) {
    const { io, settings, target } = context;
    const { runAlerts } = await import('./run.ts');
    return runAlerts(plan, {
      io,
      alertsTable: pipelineNames(settings.name).alertsTable,
      pipeline: pipelineAddress(context),
      documentClient: () => target.clients.documentClient(),
    });
  },
});
