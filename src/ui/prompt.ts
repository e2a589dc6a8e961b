/** Questions to a person at the terminal, through @inquirer/prompts (loaded only when asked). Callers check io.canPrompt first. */
import type { IO } from './io.ts';

export interface Prompter {
  /** Free text; `validate` returns true or the message to show. */
  input(message: string, validate?: (value: string) => true | string): Promise<string>;
}

export function inquirerPrompter(io: IO, signal?: AbortSignal): Prompter {
  return {
    async input(message, validate) {
      const { input } = await import('@inquirer/prompts');
      return input(
        { message, ...(validate ? { validate } : {}) },
        { input: io.stdin, output: io.stderr, ...(signal ? { signal } : {}) },
      );
    },
  };
}
