import { pipelineNames } from '../../core/names.ts';
import { defineCommand } from '../command.ts';
import { pipelineRef } from '../shared/pipeline-flags.ts';
import type { WatchOptions, WatchPlan } from './run.ts';

export default defineCommand<WatchOptions, WatchPlan>({
  name: 'watch',
  needsPipeline: true,
  summary: 'a live chart of recent prices with short/long SMA and alert markers',
  flags: [
    {
      syntax: '--symbol <symbol>',
      description: 'a symbol to chart (repeat, or comma-separate, for several)',
      required: true,
      repeatable: true,
    },
    { syntax: '--points <n>', description: 'how many recent points to chart (default 60)' },
    { syntax: '--interval <duration>', description: 'refresh every (default 5s)' },
    { syntax: '--short <n>', description: 'short SMA window (default 5)' },
    { syntax: '--long <n>', description: 'long SMA window (default 20)' },
  ],
  details: 'On a terminal the chart redraws until Ctrl+C; otherwise it prints one snapshot and exits.',
  examples: [
    { command: 'stockpipe watch --symbol AAPL' },
    { command: 'stockpipe watch --symbol AAPL --symbol MSFT --points 120 --interval 10s' },
    { command: 'stockpipe watch --symbol NVDA --json', note: 'one snapshot as JSON' },
  ],
  parse: async (flags) => (await import('./run.ts')).planWatch(flags),
  async run(plan, context) {
    const { io, settings, target, signal } = context;
    const { runWatch } = await import('./run.ts');
    const names = pipelineNames(settings.name);
    return runWatch(plan, {
      io,
      signal,
      quotesTable: names.quotesTable,
      alertsTable: names.alertsTable,
      pipeline: pipelineRef(context),
      documentClient: () => target.clients.documentClient(),
      live: io.isInteractive && (io.stdout as { isTTY?: boolean }).isTTY === true,
    });
  },
});
