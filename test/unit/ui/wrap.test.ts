import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { unbreakable, wrapLine } from '../../../src/ui/wrap.ts';

const HINT = 'Not healthy. Next: create it with `npx stockpipe setup --name nosuch --target local`.';

describe('wrapLine', () => {
  it('keeps a line that fits as it is, colours included', () => {
    assert.equal(wrapLine('\u001b[31mshort\u001b[39m', 80), '\u001b[31mshort\u001b[39m');
    assert.equal(wrapLine(HINT, undefined), HINT);
  });

  it('wraps around a backquoted suggestion, never inside it', () => {
    assert.equal(
      wrapLine(HINT, 80),
      'Not healthy. Next: create it with\n    `npx stockpipe setup --name nosuch --target local`.',
    );
  });

  it('gives a suggestion too long for any line a line of its own, whole and unindented', () => {
    assert.equal(
      wrapLine(HINT, 40),
      'Not healthy. Next: create it with\n`npx stockpipe setup --name nosuch --target local`.',
    );
  });

  it('keeps the line’s own indent and indents its continuation below it', () => {
    assert.equal(wrapLine('  one two three four', 12), '  one two\n      three\n      four');
  });

  it('never cuts a word, and a lone backquote quotes nothing', () => {
    assert.deepEqual(unbreakable('a `b c` d'), ['a', '`b c`', 'd']);
    assert.deepEqual(unbreakable("it's ` odd and more"), ["it's", '`', 'odd', 'and', 'more']);
  });

  it('for any words and width: every suggestion whole on one line, no line wider unless it is one word', () => {
    const word = fc.stringMatching(/^[a-z-]{1,12}$/);
    const suggestion = fc.array(word, { minLength: 1, maxLength: 6 }).map((words) => `\`${words.join(' ')}\``);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(word, suggestion), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 10, max: 80 }),
        (parts, width) => {
          const lines = wrapLine(parts.join(' '), width).split('\n');
          for (const line of lines) {
            assert.equal((line.match(/`/g) ?? []).length % 2, 0, `a suggestion is cut: ${line}`);
            if (line.length > width) assert.equal(unbreakable(line.trim()).length, 1, `too wide: ${line}`);
          }
          assert.deepEqual(unbreakable(lines.join(' ')), parts, 'nothing lost or reordered');
        },
      ),
    );
  });
});

describe('wrapLine, a long first word', () => {
  it('keeps its line’s own indent (pretty-printed JSON stays as it was)', () => {
    const line = `    "arn:aws:s3:::${'x'.repeat(80)}",`;
    assert.equal(wrapLine(line, 80), line);
  });
});

describe('wrapLine, a term and its description', () => {
  it('wraps the description under itself', () => {
    assert.equal(
      wrapLine('  history     the newest --limit observations of --symbol (default 100), oldest first', 60),
      '  history     the newest --limit observations of --symbol\n              (default 100), oldest first',
    );
  });
});
