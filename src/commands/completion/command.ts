import { UsageError } from '../../errors.ts';
import { defineCommand } from '../command.ts';
import type { Shell } from './scripts.ts';

export default defineCommand({
  name: 'completion',
  summary: 'print a shell completion script for bash, zsh or fish (commands, subcommands, flags)',
  arguments: [{ syntax: '<shell>', description: 'bash | zsh | fish' }],
  details: 'It completes the command `stockpipe`: install stockpipe (npm i -g) or put its bin folder on PATH.',
  examples: [
    { command: 'eval "$(stockpipe completion bash)"', note: 'in ~/.bashrc' },
    { command: 'stockpipe completion zsh > ~/.zfunc/_stockpipe', note: 'with fpath+=~/.zfunc in ~/.zshrc' },
    { command: 'stockpipe completion fish > ~/.config/fish/completions/stockpipe.fish' },
  ],
  ignores: ['name', 'region', 'profile', 'target', 'config', 'json', 'yes', 'color'],
  async parse(_flags, { args }) {
    const { SHELLS } = await import('./scripts.ts');
    const shell = args[0] as Shell;
    if (!SHELLS.includes(shell)) throw new UsageError(`unknown shell '${shell}': use ${SHELLS.join(', ')}`);
    return { shell };
  },
  async run({ shell }, { io, commandTree }) {
    const { completionScript } = await import('./scripts.ts');
    if (!commandTree) throw new Error('completion runs from the CLI, which knows the commands');
    io.stdout.write(completionScript(shell, commandTree()));
    return 0;
  },
});
