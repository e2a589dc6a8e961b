/** What a runner needs from a function: invoke it with an event. Implemented by LambdaHost and by tests. */
import type { InvokeOutcome } from './delivery.ts';

export interface FunctionInvoker {
  readonly functionName: string;
  readonly functionArn: string;
  invoke(event: unknown): Promise<InvokeOutcome>;
}
