import { pipelineNames } from '../../core/names.ts';
import { defineCommand, type FlagSpec, type FlagsOf } from '../command.ts';
import { pipelineAddress } from '../shared/pipeline-flags.ts';

const WATCH_FLAGS = [
  {
    syntax: '--symbol <symbol>',
    description: 'a symbol to chart (repeat, or comma-separate, for several)',
    required: 'watch needs at least one --symbol, e.g. --symbol AAPL',
    repeatable: true,
  },
  { syntax: '--points <n>', description: 'how many recent points to chart (default 60)', whole: { min: 1, max: 500 } },
  { syntax: '--interval <duration>', description: 'refresh every (default 5s)' },
  { syntax: '--short <n>', description: 'short SMA window (default 5)', whole: { min: 1, max: 200 } },
  { syntax: '--long <n>', description: 'long SMA window (default 20)', whole: { min: 1, max: 200 } },
  {
    syntax: '--from <date>',
    description: "chart the lake's history from this day (YYYY-MM-DD, UTC) on: one snapshot (default 500 points)",
  },
] as const satisfies readonly FlagSpec[];

/** The flags as `parse` receives them. */
export type WatchFlags = FlagsOf<typeof WATCH_FLAGS>;

export default defineCommand({
  name: 'watch',
  needsPipeline: true,
  summary: 'a live chart of recent prices with short/long SMA and alert markers',
  flags: WATCH_FLAGS,
  details: `On a terminal the chart redraws until Ctrl+C; otherwise it prints one snapshot and exits.
Symbols that do not fit the window take turns, a page per refresh (n shows the next one).
The change is against the previous close, as \`query latest\` shows it.`,
  examples: [
    { command: 'stockpipe watch --symbol AAPL' },
    { command: 'stockpipe watch --symbol AAPL --symbol MSFT --points 120 --interval 10s' },
    { command: 'stockpipe watch --symbol NVDA --json', note: 'one snapshot as JSON' },
    { command: 'stockpipe watch --symbol AAPL --from 2026-12-01', note: "the lake's history since that day" },
  ],
  parse: async (flags, { now }) => (await import('./run.ts')).planWatch(flags, now),
  async run(plan, context) {
    const { io, settings, target, signal } = context;
    const { runWatch } = await import('./run.ts');
    const names = pipelineNames(settings.name);
    return runWatch(plan, {
      io,
      signal,
      quotesTable: names.quotesTable,
      alertsTable: names.alertsTable,
      pipeline: pipelineAddress(context),
      documentClient: () => target.clients.documentClient(),
      live: io.isInteractive && (io.stdout as { isTTY?: boolean }).isTTY === true,
      // --from: the named history query, on the engine and lake `query` uses.
      history: async (symbol, range, limit) => {
        const [{ buildNamedQuery }, { rowsAsObjects }] = await Promise.all([
          import('../../query/named.ts'),
          import('../../query/runner.ts'),
        ]);
        await target
          .coverLake?.(settings.name)
          .catch((error: unknown) => io.debug(`lake coverage not checked: ${error}`));
        const runner = await target.queryRunner(settings.name);
        const result = await runner.run(buildNamedQuery('history', { range, symbol, limit }), { signal });
        return rowsAsObjects(result).map((row) => ({
          timestamp: String(row.timestamp),
          price: Number(row.price),
          change: typeof row.change === 'number' ? row.change : null,
          change_percent: typeof row.change_percent === 'number' ? row.change_percent : null,
        }));
      },
    });
  },
});
