/**
 * Long lines on a narrow terminal: a line that fits stays as it is (colours included); a longer
 * one is word-wrapped, plain, with its continuation lines indented, so no line is wider than the
 * terminal and nothing is cut off.
 */
import { stripVTControlCharacters } from 'node:util';

export function wrapLine(line: string, width: number | undefined, indent = '    '): string {
  const plain = stripVTControlCharacters(line);
  if (width === undefined || plain.length <= width) return line;
  const lines: string[] = [];
  let current = '';
  for (const word of plain.split(' ')) {
    const prefix = lines.length === 0 ? '' : indent;
    const candidate = current === '' ? `${prefix}${word}` : `${current} ${word}`;
    if (candidate.length <= width || current === '') {
      current = candidate;
    } else {
      lines.push(current);
      current = `${indent}${word}`;
    }
    // A single word longer than the line is cut into pieces.
    while (current.length > width) {
      lines.push(current.slice(0, width));
      current = `${indent}${current.slice(width)}`;
    }
  }
  if (current.trim() !== '') lines.push(current);
  return lines.join('\n');
}
