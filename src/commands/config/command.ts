import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'config',
  summary: 'print the resolved settings and where each one came from',
  details: `
Precedence: flags > environment (STOCKPIPE_NAME, STOCKPIPE_TARGET, STOCKPIPE_REGION/AWS_REGION,
STOCKPIPE_PROFILE/AWS_PROFILE) > stockpipe.config.json (or --config <file>) > defaults. After a
setup in this folder, the strategy it deployed for the pipeline, as its state file records it.`,
  examples: [
    { command: 'stockpipe config' },
    { command: 'stockpipe config --json' },
    { command: 'STOCKPIPE_NAME=demo stockpipe config --target local' },
  ],
  ignores: ['yes'],
  async run(_options, { io, resolved, configFile, cwd }) {
    const { runConfig } = await import('./run.ts');
    return runConfig({ io, resolved, cwd, ...(configFile ? { configFile } : {}) });
  },
});
