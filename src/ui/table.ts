/**
 * Tabular results three ways: a terminal table (cli-table3, numbers right-aligned, changes
 * coloured), CSV (RFC 4180) and JSON (an array of objects keyed by column name).
 * Imported only by command implementations, never by the CLI wiring, so cli-table3 loads lazily.
 */

import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { printable } from '../core/printable.ts';

export type TableValue = string | number | boolean | null | undefined;

export interface TableColumn {
  name: string;
  /** Right-aligned and formatted as a number. Defaults to "every value is a number". */
  numeric?: boolean;
}

export const TABLE_FORMATS = ['table', 'csv', 'json'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

/** Columns whose sign means up or down: coloured green or red. */
const CHANGE_COLUMN = /change/i;
/** What a table may not be narrower than, per column, before it turns vertical. */
const MIN_COLUMN_WIDTH = 6;
/** Borders and padding: "│ a │ b │" costs 3 per column plus 1. */
const frame = (columns: number) => 3 * columns + 1;

export interface TableOptions {
  /** The terminal's width: the table never prints a wider line. Undefined: no limit (a pipe). */
  width?: number | undefined;
}

/**
 * A terminal table: no separator between rows, numbers right-aligned with one number of decimals
 * per column (prices 2), changes coloured. Text columns are cut with … to fit `width`; when even
 * that cannot fit, each row is printed as a block of "column  value" lines (like psql's \x).
 */
export function renderTable(
  columns: TableColumn[],
  rows: TableValue[][],
  style: ChalkInstance,
  options: TableOptions = {},
): string {
  const numeric = columns.map(
    (column, index) => column.numeric ?? rows.every((row) => row[index] == null || typeof row[index] === 'number'),
  );
  const decimals = columns.map((_, index) => (numeric[index] ? columnDecimals(rows.map((row) => row[index])) : 0));
  const text = rows.map((row) => row.map((value, index) => formatCell(value, decimals[index])));
  const cell = (value: TableValue, index: number, content: string) => {
    if (value == null) return style.dim(content);
    if (typeof value === 'number' && CHANGE_COLUMN.test(columns[index]?.name ?? '')) {
      if (value > 0) return style.green(content);
      if (value < 0) return style.red(content);
    }
    return content;
  };

  const natural = columns.map((column, index) =>
    Math.max(visibleLength(column.name), ...text.map((row) => visibleLength(row[index] ?? ''))),
  );
  const widths = fitWidths(natural, numeric, options.width);
  if (!widths) return renderVertical(columns, rows, text, style, cell, options.width as number);

  const table = new Table({
    head: columns.map((column) => style.bold(column.name)),
    colAligns: numeric.map((isNumber) => (isNumber ? 'right' : 'left')),
    // cli-table3's widths include one space of padding on each side; longer text is cut with …
    colWidths: widths.map((width) => width + 2),
    style: { head: [], border: [], compact: true },
  });
  for (const [r, row] of rows.entries()) {
    table.push(row.map((value, index) => cell(value, index, text[r]?.[index] ?? '')));
  }
  return table.toString();
}

/**
 * Column widths that fit `width`: numbers keep theirs, text columns give up room, the widest
 * first, down to a minimum. Undefined when they cannot fit.
 */
function fitWidths(natural: number[], numeric: boolean[], width: number | undefined): number[] | undefined {
  const widths = [...natural];
  if (width === undefined) return widths;
  let excess = widths.reduce((sum, w) => sum + w, 0) + frame(widths.length) - width;
  while (excess > 0) {
    let widest = -1;
    for (const [index, w] of widths.entries()) {
      if (!numeric[index] && w > MIN_COLUMN_WIDTH && (widest < 0 || w > (widths[widest] ?? 0))) widest = index;
    }
    if (widest < 0) return undefined;
    widths[widest] = (widths[widest] ?? 0) - 1;
    excess--;
  }
  return widths;
}

/** One block per row: "column  value", values cut with … to the width. */
function renderVertical(
  columns: TableColumn[],
  rows: TableValue[][],
  text: string[][],
  style: ChalkInstance,
  cell: (value: TableValue, index: number, content: string) => string,
  width: number,
): string {
  const nameWidth = Math.max(...columns.map((column) => visibleLength(column.name)));
  const room = Math.max(1, width - nameWidth - 2);
  const blocks = rows.map((row, r) => {
    const title = `-[ ${r + 1} ]`;
    const lines = [style.dim(`${title}${'-'.repeat(Math.max(0, Math.min(width, 40) - title.length))}`)];
    for (const [index, column] of columns.entries()) {
      const content = truncate(text[r]?.[index] ?? '', room);
      lines.push(`${style.bold(column.name.padEnd(nameWidth))}  ${cell(row[index], index, content)}`);
    }
    return lines.join('\n');
  });
  return blocks.join('\n');
}

/** Decimals for a numeric column: as many as its values need, at most 4; at least 2 once any has a fraction. */
function columnDecimals(values: TableValue[]): number {
  let decimals = 0;
  for (const value of values) {
    if (typeof value !== 'number' || Number.isInteger(value)) continue;
    const fraction = String(Number(value.toFixed(4))).split('.')[1] ?? '';
    decimals = Math.max(decimals, 2, fraction.length);
  }
  return Math.min(decimals, 4);
}

/**
 * A value as the table shows it: numbers with `decimals` decimals (default: at most 4, as
 * needed), NULL as an empty-looking dash.
 */
export function formatCell(value: TableValue, decimals?: number): string {
  if (value == null) return '—';
  if (typeof value === 'number') {
    if (decimals !== undefined && decimals > 0) return value.toFixed(decimals);
    return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
  }
  // A producer's text may hold ESC, BEL or line breaks: shown escaped, never obeyed.
  return printable(String(value));
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes take no room
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (text: string) => text.replace(ANSI, '').length;
const truncate = (text: string, width: number) =>
  visibleLength(text) <= width ? text : `${text.replace(ANSI, '').slice(0, Math.max(0, width - 1))}…`;

/** RFC 4180: a header line, fields quoted when they hold a comma, quote or line break; NULL is empty. */
export function renderCsv(columns: TableColumn[], rows: TableValue[][]): string {
  const lines = [columns.map((column) => csvField(column.name)).join(',')];
  for (const row of rows) lines.push(columns.map((_, index) => csvField(row[index])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function csvField(value: TableValue): string {
  if (value == null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
