/**
 * Long lines on a narrow terminal: a line that fits stays as it is (colours included); a longer
 * one is word-wrapped, plain, with its continuation lines indented, so no line is wider than the
 * terminal. A suggested command in backquotes is never broken — pasted, half a command would run
 * something else — so it moves to the next line whole, and one too long for any line gets a line
 * of its own (the terminal may fold it, but a copy of it is one command). No word is ever cut.
 */
import { stripVTControlCharacters } from 'node:util';

export function wrapLine(line: string, width: number | undefined, indent = '    '): string {
  const plain = stripVTControlCharacters(line);
  if (width === undefined || plain.length <= width) return line;
  // A term and its description ("  latest      the most recent …"): the description wraps under itself.
  const term = plain.match(/^\s*\S+(?: \S+)*? {2,}(?=\S)/)?.[0];
  if (term && term.length <= width / 2) {
    return wrapLine(plain.slice(term.length), width - term.length, indent.trimStart())
      .split('\n')
      .map((part, index) => `${index === 0 ? term : ' '.repeat(term.length)}${part}`)
      .join('\n');
  }
  const lead = plain.match(/^ */)?.[0] ?? '';
  const next = `${lead}${indent}`;
  const lines: string[] = [];
  let current = '';
  for (const word of unbreakable(plain)) {
    const candidate = current === '' ? `${lines.length === 0 ? lead : next}${word}` : `${current} ${word}`;
    if (candidate.length <= width || current === '') {
      current = candidate;
    } else {
      lines.push(current);
      current = `${next}${word}`;
    }
    // Too long even so: the whole suggestion or word on a line of its own, unindented (a line's
    // own first word keeps the line's indent).
    if (current.length > width && current.trim() === word && lines.length > 0) current = word;
  }
  if (current !== '') lines.push(current);
  return lines.join('\n');
}

/** Each line of `text` wrapped to `width`, its continuation lines indented below its own indent. */
export function wrapText(text: string, width: number | undefined, indent = '    '): string {
  return text
    .split('\n')
    .map((line) => wrapLine(line, width, indent))
    .join('\n');
}

/**
 * The line's words, split at spaces outside backquotes: `npx stockpipe setup --name x`, with any
 * punctuation around it, is one word. A lone backquote (an odd count) opens nothing.
 */
export function unbreakable(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quoted = false;
  const quotes = (line.match(/`/g) ?? []).length;
  let seen = 0;
  for (const char of line) {
    if (char === '`') {
      seen++;
      // The last backquote of an odd count closes nothing it opened.
      if (quoted || seen < quotes || quotes % 2 === 0) quoted = !quoted;
    }
    if (char === ' ' && !quoted) {
      if (word !== '') words.push(word);
      word = '';
    } else {
      word += char;
    }
  }
  if (word !== '') words.push(word);
  return words;
}
