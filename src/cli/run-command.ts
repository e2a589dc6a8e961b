/**
 * The bridge between commander and a command's `run` function: build the context (validating
 * settings first), run, and record the exit code the command returned.
 */
import type { Command } from 'commander';
import { type CommandContext, type ContextOptions, createContext } from './context.ts';
import type { ProcessHandles } from './process-handles.ts';

/** A command's work: returns its exit code (0 when it returns nothing). */
export type CommandAction<O> = (context: CommandContext, options: O, args: string[]) => Promise<number | undefined>;

export interface Runner {
  handles: ProcessHandles;
  exitCode: number;
}

export function bindAction<O>(runner: Runner, action: CommandAction<O>, contextOptions: ContextOptions = {}) {
  return async (...commanderArgs: unknown[]) => {
    const command = commanderArgs.at(-1) as Command;
    const options = command.opts() as O;
    const args = commanderArgs.slice(0, -2).filter((value): value is string => typeof value === 'string');
    const context = createContext(command, runner.handles, contextOptions);
    runner.exitCode = (await action(context, options, args)) ?? 0;
  };
}
