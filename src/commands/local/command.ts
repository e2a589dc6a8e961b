import { type CommandContext, defineCommand, type GlobalOption } from '../command.ts';
import type { LocalDeps } from './run.ts';

/** The stack is per folder: no pipeline, account or region is involved. */
const IGNORES: readonly GlobalOption[] = ['name', 'region', 'profile', 'target', 'config', 'yes'];
const depsOf = ({ io, cwd, invocation }: CommandContext): LocalDeps => ({ io, cwd, invocation });

export default defineCommand({
  name: 'local',
  summary: 'start, stop or inspect the embedded offline stack (kinesalite, dynalite, s3rver, Lambda runner)',
  details: `
The stack is one background process on 127.0.0.1; its state lives under .stockpipe/local/ of the
current folder and survives a restart. Commands run with --target local start it on demand.`,
  examples: [
    { command: 'stockpipe local start' },
    { command: 'stockpipe local status --json' },
    { command: 'eval "$(stockpipe local env)"' },
    { command: 'stockpipe local stop' },
    { command: 'stockpipe local reset --yes' },
  ],
  ignores: IGNORES,
  subcommands: [
    defineCommand({
      name: 'start',
      summary: 'start the local stack in the background (does nothing when it runs)',
      examples: [{ command: 'stockpipe local start' }, { command: 'stockpipe local start --json' }],
      ignores: IGNORES,
      run: async (_options, context) => (await import('./run.ts')).runLocalStart(depsOf(context)),
    }),
    defineCommand({
      name: 'stop',
      summary: 'stop the local stack; its data stays under .stockpipe/local/',
      examples: [{ command: 'stockpipe local stop' }],
      ignores: IGNORES,
      run: async (_options, context) => (await import('./run.ts')).runLocalStop(depsOf(context)),
    }),
    defineCommand({
      name: 'reset',
      summary: 'stop the local stack and delete .stockpipe/local: every local pipeline and its data, nothing kept',
      details: 'The way out of a damaged store. Asks at a terminal; --yes confirms in scripts.',
      examples: [{ command: 'stockpipe local reset --yes' }],
      ignores: IGNORES.filter((option) => option !== 'yes'),
      run: async (_options, context) => (await import('./run.ts')).runLocalReset(depsOf(context)),
    }),
    defineCommand({
      name: 'env',
      summary: 'the key and endpoints of the stack, as shell exports, for your own producer or the AWS CLI',
      details:
        'The stack answers only requests signed with its own key, made for this folder (.stockpipe/local/credentials.json).',
      examples: [
        { command: 'eval "$(stockpipe local env)"', note: 'then boto3 or aws kinesis put-record reach the stack' },
        { command: 'stockpipe local env --json' },
      ],
      ignores: IGNORES,
      run: async (_options, context) => (await import('./run.ts')).runLocalEnv(depsOf(context)),
    }),
    defineCommand({
      name: 'status',
      summary: 'pid, ports, uptime, registered pipelines and what each local function has processed',
      examples: [{ command: 'stockpipe local status' }, { command: 'stockpipe local status --json' }],
      ignores: IGNORES,
      run: async (_options, context) => (await import('./run.ts')).runLocalStatus(depsOf(context)),
    }),
  ],
});
