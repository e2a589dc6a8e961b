/**
 * Text from outside (a producer's record, a file, a flag) made safe to show at a terminal. Any
 * producer can store ESC, BEL or a newline in a free-text field, and a terminal obeys them: retitles
 * itself, blinks, or lets a value pose as another line. Every renderer passes such values through
 * `printable` before it styles them; `--format json/csv` and stored data stay byte-exact.
 */

/**
 * C0 controls, DEL, C1 controls, and the Unicode format characters that reorder or hide text
 * (bidi overrides and isolates, line/paragraph separators, zero-width joiners, BOM).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to escape
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** True when `text` holds a character `printable` would escape. */
export function hasUnprintable(text: string): boolean {
  UNPRINTABLE.lastIndex = 0;
  return UNPRINTABLE.test(text);
}

/**
 * `text` with every control or hidden-format character written out (`\x1b`, `\n`, `\u202e`).
 * Backslashes are doubled only where the text has something to escape, so ordinary paths and
 * Windows-style names print as they are.
 */
export function printable(text: string): string {
  if (!hasUnprintable(text)) return text;
  return text.replace(/[\\]/g, escapeOne).replace(UNPRINTABLE, escapeOne);
}

/** How much of a person's value an error message repeats. */
export const QUOTED_MAX = 60;

/**
 * A value a person gave, for an error message: printable, and cut with `…` and its length when
 * longer than `max` (a 100 KB `--symbol` is not echoed whole).
 */
export function quoted(value: string, max = QUOTED_MAX): string {
  if (value.length <= max) return printable(value);
  return `${printable(value.slice(0, max))}… (${value.length} characters)`;
}
