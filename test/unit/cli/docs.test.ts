/**
 * The documentation says what the code does: docs/commands.md has a section for every command,
 * lists every option of it, and names no option the command does not have; the README lists
 * every command. Checked against the same definitions `--help` is built from.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../../src/cli/commands.ts';
import type { AnyCommandDefinition } from '../../../src/commands/command.ts';

const read = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
const COMMANDS_DOC = read('docs/commands.md');
const README = read('README.md');
const GLOBAL_FLAGS = [
  '--name',
  '--region',
  '--profile',
  '--target',
  '--config',
  '--json',
  '--yes',
  '--no-color',
  '--verbose',
];

/** The section of docs/commands.md whose heading names `stockpipe <name>`. */
function section(name: string): string | undefined {
  const parts = COMMANDS_DOC.split(/^## /m).slice(1);
  return parts.find((part) => part.startsWith(`\`stockpipe ${name}`));
}

const longFlags = (definition: AnyCommandDefinition) =>
  (definition.flags ?? []).map((flag) => flag.syntax.match(/--[a-z][a-z-]*/)?.[0] as string);

describe('docs/commands.md and README match the commands', () => {
  for (const definition of COMMANDS) {
    it(`${definition.name}: a section listing every option it has, and no other`, () => {
      const text = section(definition.name);
      assert.ok(text, `docs/commands.md has a "## \`stockpipe ${definition.name}\`" section`);
      const own = [...longFlags(definition), ...(definition.subcommands ?? []).flatMap(longFlags)];
      for (const flag of own) assert.ok(text.includes(`\`${flag}`), `${definition.name}: ${flag} is documented`);
      for (const sub of definition.subcommands ?? []) {
        assert.ok(text.split('\n')[0]?.includes(sub.name), `${definition.name} ${sub.name} is in the heading`);
      }
      // Option tables: the first cell of each row names options of this command (or global ones).
      for (const row of text.split('\n').filter((line) => line.startsWith('| `-'))) {
        const cell = row.split(' | ')[0] ?? '';
        for (const flag of cell.match(/--[a-z][a-z-]*/g) ?? []) {
          assert.ok(own.includes(flag) || GLOBAL_FLAGS.includes(flag), `${definition.name}: no option ${flag}`);
        }
      }
    });
  }

  it('the README lists every command with an example', () => {
    for (const definition of COMMANDS) {
      const row = README.split('\n').find((line) => line.startsWith(`| \`${definition.name}`));
      assert.ok(row, `README has a row for ${definition.name}`);
      assert.match(row, new RegExp(`\`npx stockpipe ${definition.name}\\b`), `${definition.name}'s example runs it`);
    }
  });
});
