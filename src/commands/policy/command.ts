import { defineCommand, type FlagSpec, type FlagsOf } from '../command.ts';

const POLICY_FLAGS = [
  {
    syntax: '--account <id>',
    description:
      'the AWS account the pipeline lives in (default: your credentials’ account); with it, no AWS call is made',
  },
] as const satisfies readonly FlagSpec[];

/** The flags as `parse` receives them. */
export type PolicyFlags = FlagsOf<typeof POLICY_FLAGS>;

export default defineCommand({
  name: 'policy',
  summary: 'print the IAM policy a person needs to deploy the pipeline, or to use it',
  arguments: [
    {
      syntax: '<kind>',
      description: 'deploy (setup, cleanup, status) or use (stream, query, tail, alerts, watch, status, redrive)',
    },
  ],
  flags: POLICY_FLAGS,
  details: `
An identity policy (JSON on stdout) naming each action stockpipe's calls need, on the ARNs of this
pipeline (--name, --region) wherever IAM can scope the action. It is derived from the same table
the conformance suite checks every call against, so it names what the commands call and nothing
else. The stream's records are not in it: the functions' own roles read them.`,
  examples: [
    { command: 'stockpipe policy deploy > deploy-policy.json', note: 'for whoever runs setup and cleanup' },
    { command: 'stockpipe policy use --name markets', note: 'for whoever feeds and queries it' },
    {
      command: 'stockpipe policy deploy --account 123456789012 --region eu-west-1',
      note: 'no credentials needed',
    },
  ],
  ignores: ['target', 'yes'],
  runsOn: 'aws',
  parse: async (flags, { args }) => (await import('./options.ts')).parsePolicyOptions(flags, args),
  async run(options, { io, settings, target }) {
    const { runPolicy } = await import('./run.ts');
    return runPolicy(options, {
      io,
      name: settings.name,
      identity: async () => (await target.pipeline()).identity(),
      region: async () => {
        if (settings.region) return settings.region;
        // The SDK's own chain (AWS_REGION, the profile): resolving it calls nothing.
        const sts = await target.clients.get('sts');
        return sts.config.region().catch(() => undefined);
      },
    });
  },
});
