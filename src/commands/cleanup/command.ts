import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'cleanup',
  summary: 'delete every resource of the pipeline, then check that nothing with its name remains',
  flags: [{ syntax: '--dry-run', description: 'list what would be deleted and change nothing' }],
  details: `
Finds resources by their deterministic names (no local state needed), deletes them in reverse
order and resumes where it stopped if interrupted. On a terminal it asks you to type the
pipeline name; otherwise pass --yes.`,
  examples: [
    { command: 'stockpipe cleanup --dry-run' },
    { command: 'stockpipe cleanup' },
    { command: 'stockpipe cleanup --name markets --yes --json' },
  ],
  parse: (flags) => ({ dryRun: flags.dryRun === true }),
  async run(options, context) {
    const [{ runCleanup }, { pipelineDeps }] = await Promise.all([import('./run.ts'), import('../pipeline-deps.ts')]);
    const code = await runCleanup(options, await pipelineDeps(context));
    if (code === 0 && !options.dryRun) {
      const said = await context.target.afterCleanup();
      if (said && !context.io.json) context.io.err(said);
    }
    return code;
  },
});
