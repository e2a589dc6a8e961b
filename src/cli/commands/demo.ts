import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { addGlobalOptions, collect } from '../global-options.ts';
import { bindAction, type Runner } from '../run-command.ts';

export function registerDemo(program: Command, runner: Runner): void {
  addGlobalOptions(program.command('demo'))
    .description('run the whole pipeline offline for a minute: stream, ingest, trends, alerts, SQL — no AWS account')
    .option('--duration <duration>', 'how long to stream (default 60s; 5s to 30m)')
    .option('--symbol <symbol>', 'a ticker to simulate, repeatable (default AAPL MSFT NVDA TSLA)', collect)
    .option('--interval <duration>', 'one synthetic tick per symbol this often (default 100ms)')
    .option('--seed <n>', 'seed of the synthetic prices (default 42): the same seed, the same prices')
    .option('--malformed <n>', 'malformed records sent along to show the quarantine (default 5; 0 for none)')
    .option('--keep', 'leave the pipeline and the local stack running for the other commands')
    .addHelpText(
      'after',
      `
Starts the local stack (kinesalite, dynalite, s3rver on loopback), sets up a pipeline called
stockpipe-demo, streams synthetic quotes through the same Lambda zips setup deploys to AWS,
prints each BUY/SELL alert as it fires, then a summary read back from DynamoDB and the lake
(produced = ingested + quarantined, latency percentiles, top movers by SQL) and cleans up.

Examples:
  $ stockpipe demo
  $ stockpipe demo --duration 20s --json
  $ stockpipe demo --symbol AAPL --symbol TSLA --keep
  $ stockpipe query top-movers --target local --name stockpipe-demo   after --keep`,
    )
    .action(
      bindAction(runner, async (context, flags: Record<string, unknown>) => {
        if (context.resolved.target.source !== 'default' && context.settings.target !== 'local') {
          throw new UsageError('demo runs offline only: drop --target aws (on AWS use setup and stream)');
        }
        const [{ parseDemoFlags, DEMO_PIPELINE }, { runDemo }, { localTargetClients }] = await Promise.all([
          import('../../commands/demo/options.ts'),
          import('../../commands/demo/run.ts'),
          import('../../local/target.ts'),
        ]);
        const options = parseDemoFlags(flags);
        const name = context.resolved.name.source === 'default' ? DEMO_PIPELINE : context.settings.name;
        const clients = localTargetClients(context.cwd);
        try {
          return await runDemo(options, { io: context.io, cwd: context.cwd, name, clients, signal: context.signal });
        } finally {
          await clients.destroy();
        }
      }),
    );
}
