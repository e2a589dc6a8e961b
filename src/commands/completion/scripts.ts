/**
 * Shell completion scripts for bash, zsh and fish, generated from the program's own command tree
 * (the one `--help` is built from), so they offer exactly the commands, subcommands and flags
 * that exist. Completion is for the word under the cursor: a command's subcommands and flags,
 * the global flags anywhere.
 */
import type { CommandTree } from '../command.ts';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell, tree: CommandTree): string {
  if (shell === 'fish') return fishScript(tree);
  const bash = bashScript(tree);
  // zsh runs the bash function through its bash-completion emulation, shipped with zsh itself.
  return shell === 'zsh' ? `#compdef ${tree.name}\nautoload -U +X bashcompinit && bashcompinit\n${bash}` : bash;
}

/** Every command below the program, with its path of names. */
function walk(tree: CommandTree, path: string[] = []): { path: string[]; node: CommandTree }[] {
  return [{ path, node: tree }, ...tree.subcommands.flatMap((sub) => walk(sub, [...path, sub.name]))];
}

const fn = (tree: CommandTree) => `_${tree.name.replace(/\W/g, '_')}`;

function bashScript(tree: CommandTree): string {
  const name = fn(tree);
  const cases = (pick: (node: CommandTree) => string[]) =>
    walk(tree)
      .map(({ path, node }) => `    '${path.join(' ')}') echo '${pick(node).join(' ')}' ;;`)
      .join('\n');
  return `# ${tree.name} completion for bash: add to ~/.bashrc
#   eval "$(${tree.name} completion bash)"
${name}_commands() {
  case "$1" in
${cases((node) => node.subcommands.map((sub) => sub.name))}
  esac
}
${name}_flags() {
  case "$1" in
${cases((node) => [...node.options, ...tree.options])}
  esac
}
${name}_valued() {
  case "$1" in
${cases((node) => [...node.valued, ...tree.valued])}
  esac
}
${name}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word i
  # The subcommands typed so far choose what is offered; flags and their values are skipped.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if [[ " $(${name}_valued "$path") " == *" $word "* ]]; then
      ((i++))
      continue
    fi
    [[ $word == -* ]] && continue
    if [[ " $(${name}_commands "$path") " == *" $word "* ]]; then path="\${path:+$path }$word"; fi
  done
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(${name}_flags "$path")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${name}_commands "$path")" -- "$cur"))
  fi
}
complete -o default -F ${name} ${tree.name}
`;
}

function fishScript(tree: CommandTree): string {
  const quote = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  const lines = [
    `# ${tree.name} completion for fish: ${tree.name} completion fish > ~/.config/fish/completions/${tree.name}.fish`,
  ];
  for (const { path, node } of walk(tree)) {
    const siblings = node.subcommands.map((sub) => sub.name).join(' ');
    // Offered where the path so far is typed and none of this command's own subcommands yet.
    const here = path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${path.at(-1)}`;
    const condition = siblings ? `${here}; and not __fish_seen_subcommand_from ${siblings}` : here;
    for (const sub of node.subcommands) {
      lines.push(`complete -c ${tree.name} -f -n ${quote(condition)} -a ${sub.name} -d ${quote(sub.summary)}`);
    }
    if (path.length > 0) {
      for (const option of node.options) {
        const flag = option.startsWith('--') ? `-l ${option.slice(2)}` : `-s ${option.slice(1)}`;
        lines.push(`complete -c ${tree.name} -f -n ${quote(here)} ${flag}`);
      }
    }
  }
  for (const option of tree.options) {
    const flag = option.startsWith('--') ? `-l ${option.slice(2)}` : `-s ${option.slice(1)}`;
    lines.push(`complete -c ${tree.name} -f ${flag}`);
  }
  return `${lines.join('\n')}\n`;
}
