/**
 * The documentation says what the code does: docs/commands.md has a section for every command,
 * lists every option of it, and names no option the command does not have; the README lists
 * every command. Checked against the same definitions `--help` is built from. The examples that
 * run offline as they are print what the docs show under them.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../../src/cli/commands.ts';
import { type AnyCommandDefinition, type FlagSpec, GLOBAL_FLAGS } from '../../../src/commands/command.ts';
import { longOf } from '../../../src/commands/flags.ts';
import { runCli } from '../../helpers/cli.ts';

const read = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
const COMMANDS_DOC = read('docs/commands.md');
const README = read('README.md');
/** The global options, from the table the program is built from. */
const GLOBAL_LONG_FLAGS: string[] = GLOBAL_FLAGS.map(longOf);

/** The section of docs/commands.md whose heading names `stockpipe <name>`. */
function section(name: string): string | undefined {
  const parts = COMMANDS_DOC.split(/^## /m).slice(1);
  return parts.find((part) => part.startsWith(`\`stockpipe ${name}`));
}

const longFlags = (definition: AnyCommandDefinition): string[] =>
  (definition.flags ?? []).map((flag: FlagSpec) => longOf(flag));

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
          assert.ok(own.includes(flag) || GLOBAL_LONG_FLAGS.includes(flag), `${definition.name}: no option ${flag}`);
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

/** An example of docs/commands.md: a `$ stockpipe …` line and the output shown under it, up to a `…`. */
interface DocExample {
  line: number;
  command: string;
  shown: string[];
}

function docExamples(): DocExample[] {
  const examples: DocExample[] = [];
  let inBlock = false;
  let current: DocExample | undefined;
  let elided = false;
  COMMANDS_DOC.split('\n').forEach((text, index) => {
    if (text.startsWith('```')) {
      inBlock = !inBlock;
      current = undefined;
      return;
    }
    if (!inBlock) return;
    if (text.startsWith('$ ')) {
      current = {
        line: index + 1,
        command: text
          .slice(2)
          .replace(/\s+#.*$/, '')
          .trim(),
        shown: [],
      };
      elided = false;
      examples.push(current);
    } else if (current && text.trim() === '') {
      current = undefined;
    } else if (current && !elided) {
      if (text.includes('…')) elided = true;
      else current.shown.push(text);
    }
  });
  return examples;
}

/**
 * The examples that run here as they are: no AWS account and no running stack. Their output is
 * compared line by line with what the docs show; each of the others needs AWS or a stack with
 * data (the integration and conformance suites run those commands).
 */
const RUNS_OFFLINE = /^stockpipe (config|policy \w+ .*--account \d+|completion|local reset --yes)\b/;

describe('docs/commands.md examples print what the docs show', () => {
  const examples = docExamples();
  it('the docs have examples, some of them runnable offline', () => {
    assert.ok(examples.length > 40, `${examples.length} examples`);
    assert.ok(examples.filter((example) => RUNS_OFFLINE.test(example.command)).length >= 6);
  });

  for (const example of examples.filter((candidate) => RUNS_OFFLINE.test(candidate.command))) {
    it(`line ${example.line}: ${example.command}`, async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-docs-'));
      try {
        // `local reset` needs something to reset: an empty state folder.
        if (example.command.startsWith('stockpipe local reset'))
          mkdirSync(join(cwd, '.stockpipe', 'local'), { recursive: true });
        // `config` after a setup names the strategy the state file records: write that state file.
        const deployed = example.shown.join('\n').match(/^strategy\s+(\S+) \(bundle ([0-9a-f]+)\)\s+last setup/m);
        if (deployed) {
          mkdirSync(join(cwd, '.stockpipe'), { recursive: true });
          const strategy = { name: deployed[1], file: join(cwd, `${deployed[1]}.ts`), bundle: deployed[2] };
          writeFileSync(join(cwd, '.stockpipe', 'stockpipe.json'), JSON.stringify({ settings: { strategy } }));
        }
        const [, redirect] = example.command.split(/\s+>\s+/);
        const words = (example.command.split(/\s+>\s+/)[0] ?? '').split(/\s+/).slice(1);
        const result = await runCli(words, { cwd, env: { AWS_REGION: 'eu-west-1' } });
        assert.equal(result.code, 0, result.stderr);
        // Redirected to a file: what the terminal shows is stderr.
        const printed = (redirect ? result.stderr : result.stdout).split('\n');
        assert.deepEqual(printed.slice(0, example.shown.length), example.shown);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});
