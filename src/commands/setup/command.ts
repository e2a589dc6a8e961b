import { UsageError } from '../../errors.ts';
import { defineCommand, type FlagSpec, type FlagsOf } from '../command.ts';
import { STRATEGY_FLAGS } from '../shared/strategy-flags.ts';

const SETUP_FLAGS = [
  { syntax: '--email <address>', description: 'send BUY/SELL alerts to this address (repeatable)', repeatable: true },
  ...STRATEGY_FLAGS,
  { syntax: '--alert-lang <lang>', description: 'alert language: en (default), es or pl' },
  { syntax: '--log-retention <days>', description: 'CloudWatch log retention in days (default 14)' },
  {
    syntax: '--dry-run',
    description: 'print the plan (create / update / unchanged per resource) and change nothing',
  },
] as const satisfies readonly FlagSpec[];

/** The flags as `parse` receives them. */
export type SetupFlags = FlagsOf<typeof SETUP_FLAGS>;

export default defineCommand({
  name: 'setup',
  summary: 'create the pipeline on AWS, or bring it up to date (idempotent)',
  flags: SETUP_FLAGS,
  details: `
Every resource name derives from --name, the account and the region; running setup again
changes only what differs from the options given. Options left out keep what is deployed (read
back from the pipeline), so a plain setup never switches a strategy back; give an option to change
it, e.g. --strategy crossover to return to the default. --dry-run shows each setting's
before → after.`,
  examples: [
    { command: 'stockpipe setup --email you@example.com' },
    { command: 'stockpipe setup --dry-run' },
    { command: 'stockpipe setup --name markets --region eu-west-1 --strategy threshold --thresh-pct 2' },
    { command: 'stockpipe setup --strategy ./breakout.mjs', note: 'your own strategy (docs/strategies.md)' },
    { command: 'stockpipe setup --alert-lang es --log-retention 30 --json' },
    { command: 'stockpipe setup --target local', note: 'the same pipeline offline' },
  ],
  targetOptions: { createsPipeline: true },
  parse: async (flags, { cwd }) => {
    const [{ parseSetupFlags }, { loadStrategyFile }] = await Promise.all([
      import('./options.ts'),
      import('../shared/strategy-file.ts'),
    ]);
    // A strategy file is bundled and checked here, before any AWS call.
    const file = await loadStrategyFile(flags.strategy, cwd);
    return parseSetupFlags(flags, undefined, file?.config);
  },
  async run(options, context) {
    if (options.emailsGiven && context.target.noEmail) throw new UsageError(context.target.noEmail);
    const [{ runSetup }, { pipelineDeps }] = await Promise.all([import('./run.ts'), import('../pipeline-deps.ts')]);
    return runSetup(options, await pipelineDeps(context));
  },
});
