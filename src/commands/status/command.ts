import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'status',
  summary: 'show every resource (present, missing, degraded), subscriptions, recent activity and what to do next',
  details: 'Exit code 0 when every resource is present and healthy, 1 otherwise.',
  examples: [{ command: 'stockpipe status' }, { command: 'stockpipe status --name markets --json' }],
  async run(_options, context) {
    const [{ runStatus }, { pipelineDeps }] = await Promise.all([import('./run.ts'), import('../pipeline-deps.ts')]);
    return runStatus({
      ...(await pipelineDeps(context)),
      documentClient: () => context.target.clients.documentClient(),
    });
  },
});
