/**
 * `stockpipe completion`: scripts generated from the program itself. The bash one is checked by
 * bash: it parses (`bash -n`) and completes what a person types.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { COMMANDS } from '../../../src/cli/commands.ts';
import { runCli } from '../../helpers/cli.ts';

describe('stockpipe completion', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockpipe-completion-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const script = async (shell: string) => {
    const { code, stdout, stderr } = await runCli(['completion', shell]);
    assert.equal(code, 0, stderr);
    return stdout;
  };

  it('bash: a valid script that completes commands, subcommands and flags', async () => {
    const file = join(dir, 'stockpipe.bash');
    writeFileSync(file, await script('bash'));
    execFileSync('bash', ['-n', file]);
    const complete = (line: string) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$1"; read -ra COMP_WORDS <<<"$2"; [[ $2 == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _stockpipe; echo "\${COMPREPLY[*]}"`,
          'bash',
          file,
          line,
        ],
        { encoding: 'utf8' },
      ).trim();
    assert.equal(complete('stockpipe sta'), 'status');
    assert.equal(complete('stockpipe local st'), 'start stop status');
    assert.equal(complete('stockpipe --target local qu'), 'query');
    assert.equal(complete('stockpipe query --li'), '--limit');
    assert.equal(complete('stockpipe local start --js'), '--json', 'global flags after a subcommand');
    assert.deepEqual(
      complete('stockpipe ').split(' '),
      COMMANDS.map((command) => command.name),
    );
  });

  it('zsh runs the same function through bashcompinit; fish lists every command with its summary', async () => {
    const zsh = await script('zsh');
    assert.match(zsh, /^#compdef stockpipe\nautoload -U \+X bashcompinit && bashcompinit\n/);
    assert.match(zsh, /complete -o default -F _stockpipe stockpipe/);
    const fish = await script('fish');
    for (const command of COMMANDS) assert.match(fish, new RegExp(`-a ${command.name} -d '`));
    assert.match(fish, /__fish_seen_subcommand_from local' -l json|complete -c stockpipe -f -l json/);
  });

  it('an unknown shell is bad usage', async () => {
    const { code, stderr } = await runCli(['completion', 'ksh']);
    assert.equal(code, 2);
    assert.equal(stderr, "error: unknown shell 'ksh': use bash, zsh, fish\n");
  });
});
