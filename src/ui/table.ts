/**
 * Tabular results three ways: a terminal table (cli-table3, numbers right-aligned, changes
 * coloured), CSV (RFC 4180) and JSON (an array of objects keyed by column name).
 * Imported only by command implementations, never by the CLI wiring, so cli-table3 loads lazily.
 */

import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';

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

export function renderTable(columns: TableColumn[], rows: TableValue[][], style: ChalkInstance): string {
  const numeric = columns.map(
    (column, index) => column.numeric ?? rows.every((row) => row[index] == null || typeof row[index] === 'number'),
  );
  const table = new Table({
    head: columns.map((column) => style.bold(column.name)),
    colAligns: numeric.map((isNumber) => (isNumber ? 'right' : 'left')),
    style: { head: [], border: [], compact: false },
  });
  for (const row of rows) {
    table.push(
      columns.map((column, index) => {
        const value = row[index];
        const text = formatCell(value);
        if (value == null) return style.dim(text);
        if (typeof value === 'number' && CHANGE_COLUMN.test(column.name)) {
          if (value > 0) return style.green(text);
          if (value < 0) return style.red(text);
        }
        return text;
      }),
    );
  }
  return table.toString();
}

/** Numbers with at most 4 decimals (prices, percentages); NULL as an empty-looking dash. */
export function formatCell(value: TableValue): string {
  if (value == null) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
  return String(value);
}

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
