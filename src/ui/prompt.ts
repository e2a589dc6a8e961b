/** Questions to a person at the terminal, through @inquirer/prompts (loaded only when asked). Callers check io.canPrompt first. */

import { Writable } from 'node:stream';
import { CancelledError, NOTHING_CHANGED } from '../errors.ts';
import type { IO } from './io.ts';

export interface Prompter {
  /** Free text; `validate` returns true or the message to show. */
  input(message: string, validate?: (value: string) => true | string): Promise<string>;
}

export function inquirerPrompter(io: IO, signal?: AbortSignal): Prompter {
  return {
    async input(message, validate) {
      const { input } = await import('@inquirer/prompts');
      try {
        return await input(
          // An answer is not yet a success (a wrong name refuses the cleanup): no green tick after it.
          {
            message,
            theme: { prefix: { idle: io.errStyle.blue('?'), done: io.errStyle.dim('›') } },
            ...(validate ? { validate } : {}),
          },
          { input: io.stdin, output: unclosable(io.stderr), ...(signal ? { signal } : {}) },
        );
      } catch (error) {
        // Ctrl+C (or Ctrl+D) at the question: a choice not to go on, not a failure.
        const name = (error as { name?: string }).name;
        if (name === 'ExitPromptError' || name === 'AbortPromptError') throw new CancelledError(NOTHING_CHANGED);
        throw error;
      }
    },
  };
}

/**
 * stderr as the prompt sees it: inquirer ends its output stream when it closes, but what the
 * command says after the question (e.g. "Cancelled — nothing was changed") still goes to stderr.
 * Each chunk is passed on at once, not when stderr has drained the one before: otherwise the
 * line break that ends the question could come after the command's next line.
 */
function unclosable(stream: Writable & { isTTY?: boolean; columns?: number }): Writable {
  const forward = new Writable({
    write(chunk, encoding, done) {
      stream.write(chunk, encoding);
      done();
    },
  });
  return Object.defineProperties(forward, {
    isTTY: { get: () => stream.isTTY },
    columns: { get: () => stream.columns },
  });
}
