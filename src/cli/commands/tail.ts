import type { Command } from 'commander';
import { addGlobalOptions } from '../global-options.ts';
import { bindAction, type Runner } from '../run-command.ts';

interface TailFlags {
  follow?: boolean;
  since?: string;
  filter?: string;
  format?: string;
  idleExit?: string;
}

export function registerTail(program: Command, runner: Runner): void {
  addGlobalOptions(program.command('tail'))
    .description('show the ingest and trends functions’ logs, interleaved in time order')
    .argument('[function]', 'ingest | trends | all', 'all')
    .option('-f, --follow', 'keep polling for new events (every 1–2 s) until Ctrl+C')
    .option('--since <time>', 'start this long ago (10m, 2h, 1d) or at an ISO time (default 10m)')
    .option('--filter <pattern>', 'CloudWatch Logs filter pattern, e.g. ERROR or "{ $.level = \\"ERROR\\" }"')
    .option('--format <format>', 'short (default), detailed, or json (one object per line)')
    .option('--idle-exit <duration>', 'with --follow: stop after this long without new events (for scripts)')
    .addHelpText(
      'after',
      `
Waits quietly while a log group does not exist yet. Errors and timeouts are shown in red.

Examples:
  $ stockpipe tail                          the last 10 minutes of both functions
  $ stockpipe tail ingest --since 1h --format detailed
  $ stockpipe tail --follow --filter ERROR
  $ stockpipe tail trends --since 2026-11-22T14:00:00Z --json
  $ stockpipe tail -f --idle-exit 2m        follow, stop after 2 minutes of silence`,
    )
    .action(
      bindAction<TailFlags>(runner, async (context, flags, args) => {
        const [{ runTail }, { pipelineNames }] = await Promise.all([
          import('../../commands/tail/run.ts'),
          import('../../core/names.ts'),
        ]);
        const [target = 'all'] = args;
        try {
          return await runTail(
            { target, ...flags },
            {
              io: context.io,
              signal: context.signal,
              createSource: async (functions) => {
                const names = pipelineNames(context.settings.name);
                if (context.settings.target === 'local') {
                  // Offline, the local runner writes each function's output to a JSON-lines file.
                  const [{ LocalFileLogSource }, { functionLogFile, localPaths }] = await Promise.all([
                    import('../../logs/local-files.ts'),
                    import('../../local/paths.ts'),
                  ]);
                  const paths = localPaths(context.cwd);
                  return new LocalFileLogSource(
                    functions.map((fn) => {
                      const functionName = fn === 'ingest' ? names.ingestFunction : names.trendsFunction;
                      return { fn, group: functionName, path: functionLogFile(paths, functionName) };
                    }),
                  );
                }
                const { CloudWatchLogSource } = await import('../../logs/cloudwatch.ts');
                const groups = functions.map((fn) => ({
                  fn,
                  group: fn === 'ingest' ? names.ingestLogGroup : names.trendsLogGroup,
                }));
                const reported = new Set<string>();
                return new CloudWatchLogSource(await context.aws.get('logs'), groups, (group) => {
                  if (!reported.has(group)) context.io.debug(`log group ${group} does not exist yet: waiting`);
                  reported.add(group);
                });
              },
            },
          );
        } finally {
          await context.aws.destroy();
        }
      }),
    );
}
