/**
 * Every command follows the one shape (src/commands/command.ts): a summary, examples, and a help
 * that lists its own options before the inherited global ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../../src/cli/commands.ts';
import type { AnyCommandDefinition } from '../../../src/commands/command.ts';
import { runCli } from '../../helpers/cli.ts';

function walk(definitions: readonly AnyCommandDefinition[], path: string[] = []): [string[], AnyCommandDefinition][] {
  return definitions.flatMap((definition) => {
    const here = [...path, definition.name];
    return [[here, definition] as [string[], AnyCommandDefinition], ...walk(definition.subcommands ?? [], here)];
  });
}

describe('command definitions', () => {
  const all = walk(COMMANDS);

  it('are many, each with a summary and at least one example of itself', () => {
    assert.ok(all.length >= 14, `only ${all.length} commands`);
    for (const [path, definition] of all) {
      assert.ok(definition.summary.trim().length > 10, `${path.join(' ')} has a summary`);
      assert.ok(definition.examples.length >= 1, `${path.join(' ')} has an example`);
      for (const example of definition.examples) {
        assert.ok(
          example.command.includes(`stockpipe ${path.join(' ')}`) || path.length > 1 || example.note,
          `${path.join(' ')}: example '${example.command}' runs the command`,
        );
      }
      assert.ok(definition.run || definition.subcommands?.length, `${path.join(' ')} runs or has subcommands`);
    }
  });

  for (const [path, definition] of walk(COMMANDS)) {
    it(`${path.join(' ')} --help: own options first, then the inherited ones, then examples`, async () => {
      const { code, stdout } = await runCli([...path, '--help']);
      assert.equal(code, 0);
      const own = stdout.indexOf('\nOptions:');
      const inherited = stdout.indexOf('\nInherited Options:');
      const examples = stdout.indexOf('\nExamples:');
      assert.ok(own >= 0 && inherited > own && examples > inherited, stdout);
      for (const flag of definition.flags ?? []) {
        const long = flag.syntax.match(/--[a-z-]+/)?.[0] as string;
        const at = stdout.indexOf(long);
        assert.ok(at > own && at < inherited, `${long} listed among ${path.join(' ')}'s own options`);
      }
      const inheritedText = stdout.slice(inherited + 1).split('\n\n')[0] ?? '';
      for (const ignored of definition.ignores ?? []) {
        const flag = ignored === 'color' ? '--no-color' : `--${ignored}`;
        assert.ok(!inheritedText.includes(`${flag} `), `${path.join(' ')} does not offer ${flag}`);
      }
      assert.match(inheritedText, /--verbose/);
    });
  }

  it('an unknown command is named, with exit 2, even with --help', async () => {
    const { code, stderr, stdout } = await runCli(['no-such-command', '--help']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /unknown command 'no-such-command'/);
  });

  it('a global option a command ignores is refused when it contradicts it: demo runs offline only', async () => {
    const { code, stderr } = await runCli(['demo', '--target', 'aws']);
    assert.equal(code, 2);
    assert.match(stderr, /demo runs on the local target only/);
  });
});
