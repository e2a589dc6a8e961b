/**
 * Every command follows the one shape (src/commands/command.ts): a summary, examples, and a help
 * that lists its own options before the inherited global ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../../src/cli/commands.ts';
import type { AnyCommandDefinition, FlagSpec } from '../../../src/commands/command.ts';
import { runCli } from '../../helpers/cli.ts';

function walk(definitions: readonly AnyCommandDefinition[], path: string[] = []): [string[], AnyCommandDefinition][] {
  return definitions.flatMap((definition) => {
    const here = [...path, definition.name];
    return [[here, definition] as [string[], AnyCommandDefinition], ...walk(definition.subcommands ?? [], here)];
  });
}

/** The command (`local start`) an example's `stockpipe …` line runs; undefined when none exists. */
function commandRunBy(line: string): string | undefined {
  // `stockpipe local start`, also inside `eval "$(stockpipe local env)"`.
  const rest = /(?:^|[\s("'])stockpipe\s+(.*)$/.exec(line)?.[1];
  if (rest === undefined) return undefined;
  let level: readonly AnyCommandDefinition[] = COMMANDS;
  const path: string[] = [];
  for (const word of rest.split(/[\s)"']+/)) {
    const next = level.find((definition) => definition.name === word);
    if (!next) break;
    path.push(word);
    level = next.subcommands ?? [];
  }
  return path.length > 0 ? path.join(' ') : undefined;
}

describe('command definitions', () => {
  const all = walk(COMMANDS);

  it('are many, each with a summary and at least one example of itself', () => {
    assert.ok(all.length >= 14, `only ${all.length} commands`);
    for (const [path, definition] of all) {
      const name = path.join(' ');
      assert.ok(definition.summary.trim().length > 10, `${name} has a summary`);
      const runs = definition.examples.map((example) => commandRunBy(example.command));
      const isThis = (ran: string | undefined) => ran === name || ran?.startsWith(`${name} `) === true;
      assert.ok(runs.some(isThis), `${name} has an example that runs it (or one of its subcommands)`);
      for (const [index, example] of definition.examples.entries()) {
        const ran = runs[index];
        assert.ok(ran !== undefined, `${name}: example '${example.command}' runs no stockpipe command`);
        // An example of another command is a follow-up, and its note says when to run it.
        assert.ok(
          isThis(ran) || example.note,
          `${name}: example '${example.command}' runs ${ran}, with no note saying why`,
        );
      }
      assert.ok(definition.run || definition.subcommands?.length, `${name} runs or has subcommands`);
    }
  });

  it('an example of a command that does not exist is caught', () => {
    assert.equal(commandRunBy('stockpipe local start --verbose'), 'local start');
    assert.equal(commandRunBy('stockpipe query top-movers --target local'), 'query');
    assert.equal(commandRunBy('stockpipe nosuch --json'), undefined);
    assert.equal(commandRunBy('eval "$(stockpipe local env)"'), 'local env');
    assert.equal(commandRunBy('echo stockpipe'), undefined);
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

  it('a mistyped command gets a "did you mean", as a mistyped option does, and the help to read', async () => {
    const top = await runCli(['stauts']);
    assert.equal(top.code, 2);
    assert.equal(top.stderr, "error: unknown command 'stauts' (Did you mean status?); see `npx stockpipe --help`\n");
    const sub = await runCli(['local', 'strat'], { env: { npm_command: 'exec' } });
    assert.equal(sub.code, 2);
    assert.equal(
      sub.stderr,
      "error: unknown command 'strat' (Did you mean start?); see `npx stockpipe local --help`\n",
    );
  });

  it('--help at an 80-column terminal: no line wider, no word broken, examples as the person runs stockpipe', async () => {
    for (const [path, definition] of [[[], undefined] as const, ...walk(COMMANDS)]) {
      const { code, stdout } = await runCli([...path, '--help'], {
        tty: true,
        columns: 80,
        env: { npm_command: 'exec' },
      });
      assert.equal(code, 0);
      const lines = stdout.trimEnd().split('\n');
      for (const line of lines) assert.ok(line.length <= 80, `${path.join(' ')} --help: ${line.length} wide: ${line}`);
      // Every word of the command's own texts is whole on some line: none was broken across two.
      const shown = new Set(stdout.split(/\s+/));
      const texts = definition
        ? [
            definition.summary,
            definition.details ?? '',
            ...(definition.flags ?? []).map((flag: FlagSpec) => flag.description),
          ]
        : [];
      for (const word of texts.flatMap((text) => text.split(/\s+/)).filter(Boolean)) {
        assert.ok(shown.has(word), `${path.join(' ')} --help shows '${word}' whole`);
      }
      for (const line of lines.filter((l) => l.startsWith('  $ '))) assert.match(line, /npx stockpipe/, line);
    }
  });

  it('a global option a command ignores is refused when it contradicts it: demo runs offline only', async () => {
    const { code, stderr } = await runCli(['demo', '--target', 'aws']);
    assert.equal(code, 2);
    assert.match(stderr, /demo runs on the local target only/);
  });
});
