/**
 * AWS clients for `--target local`: the three emulated services of the local stack, which is
 * started on the first call that needs it. Any other service fails with a line saying what
 * stands in for it offline — a command can never reach real AWS by accident. In a folder with no
 * local state only setup may start the stack: anything else would leave a background process
 * behind just to learn that nothing exists.
 */
import { AwsClients, type ServiceName } from '../aws/clients.ts';
import { StockpipeError } from '../errors.ts';
import { LOCAL_REGION } from './constants.ts';
import { localStateExists } from './paths.ts';

export const LOCAL_SERVICES: readonly ServiceName[] = ['kinesis', 'dynamodb', 's3'];

const STAND_INS: Partial<Record<ServiceName, string>> = {
  lambda: 'the local Lambda runner',
  iam: 'nothing (no permissions offline)',
  sns: 'alerts printed to .stockpipe/local/logs/alerts.log',
  glue: 'DuckDB over the local lake',
  athena: 'DuckDB over the local lake',
  logs: 'log files under .stockpipe/local/logs',
  cloudwatch: 'the local runner’s counters (`stockpipe local status`)',
  sts: 'the fixed local account',
};

export const NO_LOCAL_STATE =
  'nothing exists in the local target here yet (no .stockpipe/local): create a pipeline with `stockpipe setup --target local`, or run `stockpipe demo`';

export const LOCAL_STACK_DOWN =
  'the local stack is not running (its endpoint refused the connection): start it with `stockpipe local start`, and see .stockpipe/local/logs/daemon.log for why it stopped';

/**
 * On the local target a refused connection means one thing: the stack's process is gone. Said
 * so, as a StockpipeError, which no retry loop takes for a passing network fault.
 */
export function explainRefusedConnection(client: {
  middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void };
}): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (error) {
        if ((error as NodeJS.ErrnoException)?.code === 'ECONNREFUSED') throw new StockpipeError(LOCAL_STACK_DOWN);
        throw error;
      }
    },
    { step: 'initialize', name: 'stockpipeLocalStackDown' },
  );
}

export interface LocalTargetOptions {
  /** Start the stack even where none ever ran: true for setup, which creates the pipeline. */
  mayCreateStack?: boolean;
}

export function localTargetClients(cwd: string, options: LocalTargetOptions = {}): AwsClients {
  return new AwsClients({
    env: {},
    services: LOCAL_SERVICES,
    onClient: (_service, client) => explainRefusedConnection(client as never),
    unavailable: (service) =>
      new StockpipeError(
        `${service} does not exist in the local target; it is replaced by ${STAND_INS[service] ?? 'nothing'}`,
      ),
    resolve: async () => {
      if (!options.mayCreateStack && !localStateExists(cwd)) throw new StockpipeError(NO_LOCAL_STATE);
      const { ensureLocalStack } = await import('./stack.ts');
      const { endpoints } = await ensureLocalStack(cwd);
      const { credentials, ...urls } = endpoints;
      return { endpoints: urls, credentials, region: LOCAL_REGION };
    },
  });
}
