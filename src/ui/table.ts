/**
 * Tabular results three ways: a terminal table (cli-table3, numbers right-aligned, changes
 * coloured), CSV (RFC 4180) and JSON (an array of objects keyed by column name).
 * Imported only by command implementations, never by the CLI wiring, so cli-table3 loads lazily.
 */

import { stripVTControlCharacters } from 'node:util';
import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import stringWidth from 'string-width';
import { printable } from '../core/printable.ts';
import {
  dateHeading,
  formatInstant,
  type Instant,
  parseInstant,
  sharedDate,
  type TimeFormat,
  timeFormatOf,
} from './times.ts';

export type TableValue = string | number | boolean | null | undefined;

export interface TableColumn {
  name: string;
  /** Right-aligned and formatted as a number. Defaults to "every value is a number". */
  numeric?: boolean;
  /**
   * A value's colour: green `up`, red `down`, yellow `warn` (e.g. an alert's signal). The table
   * colours the cell after measuring it; a value coloured beforehand would show its codes escaped.
   */
  tone?: (value: TableValue) => 'up' | 'down' | 'warn' | undefined;
}

export { TABLE_FORMATS, type TableFormat } from './table-formats.ts';

/** Columns whose sign means up or down: coloured green or red. */
const CHANGE_COLUMN = /change/i;
/** What a table may not be narrower than, per column, before it turns vertical. */
const MIN_COLUMN_WIDTH = 6;
/** Borders and padding: "│ a │ b │" costs 3 per column plus 1. */
const frame = (columns: number) => 3 * columns + 1;

export interface TableOptions {
  /**
   * The terminal's width: the table never prints a wider line, and its times are shortened to what
   * tells the rows apart (src/ui/times.ts). Undefined: no limit and every value whole (a pipe).
   */
  width?: number | undefined;
}

/**
 * A terminal table: no separator between rows, numbers right-aligned with one number of decimals
 * per column (prices 2), changes coloured. At a terminal (`width`) times are shortened — the date
 * once above the table when the rows share it — numbers and times are kept whole, and text columns
 * are cut with … to fit; when even that cannot fit, each row is printed as a block of
 * "column  value" lines (like psql's \x).
 * Drawn by cli-table3, for the tables of a few rows commands print (alerts, status, backtest);
 * a query's result, of any size, is drawn the same way by TableStream.
 */
export function renderTable(
  columns: TableColumn[],
  rows: TableValue[][],
  style: ChalkInstance,
  options: TableOptions = {},
): string {
  const layout = layoutOf(columns, rows, options.width);
  if (!layout.widths) {
    const table = new TableStream(columns, style, options);
    return (table.push(rows) + table.end()).replace(/\n$/, '');
  }
  const { numeric, widths } = layout;
  const text = rows.map((row) => row.map((value, index) => cellText(layout, value, index)));
  const table = new Table({
    head: columns.map((column) => style.bold(column.name)),
    colAligns: numeric.map((isNumber) => (isNumber ? 'right' : 'left')),
    // cli-table3's widths include one space of padding on each side; longer text is cut with …
    colWidths: widths.map((width) => width + 2),
    style: { head: [], border: [], compact: true },
  });
  for (const [r, row] of rows.entries()) {
    table.push(row.map((value, index) => cellStyle(columns, style, value, index, text[r]?.[index] ?? '')));
  }
  return layout.date === undefined ? table.toString() : `${heading(layout.date, options.width)}\n${table.toString()}`;
}

const heading = (date: string, width: number | undefined) => truncate(dateHeading(date), width ?? Number.MAX_VALUE);

/** A value's content, dimmed when NULL, green or red in a change column. */
function cellStyle(
  columns: TableColumn[],
  style: ChalkInstance,
  value: TableValue,
  index: number,
  content: string,
): string {
  if (value == null) return style.dim(content);
  const tone = columns[index]?.tone?.(value);
  if (tone) return tone === 'up' ? style.green(content) : tone === 'down' ? style.red(content) : style.yellow(content);
  if (typeof value === 'number' && CHANGE_COLUMN.test(columns[index]?.name ?? '')) {
    if (value > 0) return style.green(content);
    if (value < 0) return style.red(content);
  }
  return content;
}

/** How a table is drawn, decided once from the rows it first sees. */
interface Layout {
  numeric: boolean[];
  decimals: number[];
  /** How each time column is shown; undefined for the others (and for every column in a pipe). */
  times: (TimeFormat | undefined)[];
  /** The day every time shown falls on, said once above the table; undefined: each cell has its date. */
  date: string | undefined;
  /** Each column's content width; undefined: rows are drawn as vertical blocks. */
  widths: number[] | undefined;
}

/**
 * A table drawn as its rows arrive: the layout (widths, decimals, alignment) comes from the first
 * rows pushed, later rows are drawn to it — so a result of any size is printed in bounded memory.
 * `push` and `end` return the text to write, newline-terminated.
 */
export class TableStream {
  private readonly columns: TableColumn[];
  private readonly style: ChalkInstance;
  private readonly options: TableOptions;
  private layout: Layout | undefined;
  private drawn = 0;
  /** The day of the rows drawn last, when the date is said in headings rather than in cells. */
  private day: string | undefined;

  constructor(columns: TableColumn[], style: ChalkInstance, options: TableOptions = {}) {
    this.columns = columns;
    this.style = style;
    this.options = options;
  }

  push(rows: TableValue[][]): string {
    const lines: string[] = [];
    if (!this.layout) {
      this.layout = layoutOf(this.columns, rows, this.options.width);
      this.day = this.layout.date;
      if (this.layout.date !== undefined) lines.push(heading(this.layout.date, this.options.width));
      if (this.layout.widths) lines.push(this.border('┌', '┬', '┐'), this.headerLine());
    }
    for (const row of rows) {
      // Under the header only once there is a row, as cli-table3 draws an empty table.
      if (this.drawn === 0 && this.layout.widths) lines.push(this.border('├', '┼', '┤'));
      const day = this.layout.date === undefined ? undefined : this.dayOf(row);
      // A later row on another day than the heading's: a rule saying the new day, then its rows.
      if (day !== undefined && day !== this.day) {
        this.day = day;
        lines.push(this.dayRule(day));
      }
      const layout = this.layout;
      const text = row.map((value, index) => cellText(layout, value, index));
      if (this.layout.widths) lines.push(this.rowLine(row, text, this.layout.widths));
      else lines.push(this.block(row, text));
      this.drawn++;
    }
    return lines.length > 0 ? `${lines.join('\n')}\n` : '';
  }

  end(): string {
    if (!this.layout) this.push([]);
    return this.layout?.widths ? `${this.border('└', '┴', '┘')}\n` : '';
  }

  /** The day of a row's first time. */
  private dayOf(row: TableValue[]): string | undefined {
    const index = this.layout?.times.findIndex((format) => format !== undefined) ?? -1;
    return index < 0 ? undefined : parseInstant(row[index])?.date;
  }

  private dayRule(day: string): string {
    const widths = this.layout?.widths;
    if (!widths) return heading(day, this.options.width);
    const inner = widths.reduce((sum, width) => sum + width + 3, -1);
    const label = `─ ${day} `;
    return `├${label.slice(0, inner)}${'─'.repeat(Math.max(0, inner - label.length))}┤`;
  }

  private border(left: string, middle: string, right: string): string {
    return `${left}${(this.layout?.widths ?? []).map((width) => '─'.repeat(width + 2)).join(middle)}${right}`;
  }

  private headerLine(): string {
    const widths = this.layout?.widths ?? [];
    const cells = this.columns.map((column, index) => {
      const width = widths[index] ?? 0;
      const name = truncate(column.name, width);
      const padding = ' '.repeat(Math.max(0, width - visibleLength(name)));
      // A cut name keeps its … outside the bold, as cli-table3 cuts a styled header.
      const bold = name.endsWith('…') ? `${this.style.bold(name.slice(0, -1))}…` : this.style.bold(name);
      return this.layout?.numeric[index] ? padding + bold : bold + padding;
    });
    return `│ ${cells.join(' │ ')} │`;
  }

  private rowLine(row: TableValue[], text: string[], widths: number[]): string {
    const cells = widths.map((width, index) => {
      const content = truncate(text[index] ?? '', width);
      const padding = ' '.repeat(Math.max(0, width - visibleLength(content)));
      const shown = this.cell(row[index], index, content);
      return this.layout?.numeric[index] ? padding + shown : shown + padding;
    });
    return `│ ${cells.join(' │ ')} │`;
  }

  /** One block per row: "column  value", values cut with … to the width. */
  private block(row: TableValue[], text: string[]): string {
    const width = this.options.width as number;
    const nameWidth = Math.max(...this.columns.map((column) => visibleLength(column.name)));
    const room = Math.max(1, width - nameWidth - 2);
    const title = `-[ ${this.drawn + 1} ]`;
    const lines = [this.style.dim(`${title}${'-'.repeat(Math.max(0, Math.min(width, 40) - title.length))}`)];
    for (const [index, column] of this.columns.entries()) {
      const content = truncate(text[index] ?? '', room);
      lines.push(`${this.style.bold(column.name.padEnd(nameWidth))}  ${this.cell(row[index], index, content)}`);
    }
    return lines.join('\n');
  }

  private cell(value: TableValue, index: number, content: string): string {
    return cellStyle(this.columns, this.style, value, index, content);
  }
}

function layoutOf(columns: TableColumn[], rows: TableValue[][], width: number | undefined): Layout {
  const numeric = columns.map(
    (column, index) => column.numeric ?? rows.every((row) => row[index] == null || typeof row[index] === 'number'),
  );
  const decimals = columns.map((_, index) => (numeric[index] ? columnDecimals(rows.map((row) => row[index])) : 0));
  const { times, date } =
    width === undefined ? { times: columns.map(() => undefined), date: undefined } : timesOf(columns, rows, numeric);
  const layout: Layout = { numeric, decimals, times, date, widths: undefined };
  const natural = columns.map((column, index) =>
    Math.max(visibleLength(column.name), ...rows.map((row) => visibleLength(cellText(layout, row[index], index)))),
  );
  // Numbers and times are kept whole: only text gives up room.
  const whole = columns.map((_, index) => numeric[index] === true || times[index] !== undefined);
  layout.widths = fitWidths(natural, whole, width);
  return layout;
}

/** Text columns whose every value is a UTC instant, and the day they all fall on, if one. */
function timesOf(columns: TableColumn[], rows: TableValue[][], numeric: boolean[]): Pick<Layout, 'times' | 'date'> {
  const instants = columns.map((_, index) => {
    if (numeric[index]) return undefined;
    const parsed: Instant[] = [];
    for (const row of rows) {
      const value = row[index];
      if (value == null) continue;
      const instant = parseInstant(value);
      if (!instant) return undefined;
      parsed.push(instant);
    }
    return parsed.length > 0 ? parsed : undefined;
  });
  const date = sharedDate(instants.flatMap((column) => column ?? []));
  const times = instants.map((column) => (column ? timeFormatOf(column, date === undefined) : undefined));
  return { times, date };
}

/** A value as its cell shows it: a time as its column's format says, anything else by formatCell. */
function cellText(layout: Pick<Layout, 'decimals' | 'times'>, value: TableValue, index: number): string {
  const format = layout.times[index];
  const instant = format ? parseInstant(value) : undefined;
  return format && instant ? formatInstant(instant, format) : formatCell(value, layout.decimals[index]);
}

/**
 * Column widths that fit `width`: numbers and times keep theirs, text columns give up room, the
 * widest first, down to a minimum. Undefined when they cannot fit.
 */
function fitWidths(natural: number[], whole: boolean[], width: number | undefined): number[] | undefined {
  const widths = [...natural];
  if (width === undefined) return widths;
  let excess = widths.reduce((sum, w) => sum + w, 0) + frame(widths.length) - width;
  while (excess > 0) {
    let widest = -1;
    for (const [index, w] of widths.entries()) {
      if (!whole[index] && w > MIN_COLUMN_WIDTH && (widest < 0 || w > (widths[widest] ?? 0))) widest = index;
    }
    if (widest < 0) return undefined;
    widths[widest] = (widths[widest] ?? 0) - 1;
    excess--;
  }
  return widths;
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

/** Columns on screen: colour codes take none, a wide character (CJK, emoji) two. */
const visibleLength = (text: string) => stringWidth(text);
const truncate = (text: string, width: number) =>
  visibleLength(text) <= width ? text : `${stripVTControlCharacters(text).slice(0, Math.max(0, width - 1))}…`;

/** RFC 4180: a header line, fields quoted when they hold a comma, quote or line break; NULL is empty. */
export function renderCsv(columns: TableColumn[], rows: TableValue[][]): string {
  return `${columns.map((column) => csvField(column.name)).join(',')}\r\n${renderCsvRows(columns, rows)}`;
}

/** The rows alone, each ended by CRLF: what follows the header when rows arrive in parts. */
export function renderCsvRows(columns: TableColumn[], rows: TableValue[][]): string {
  let text = '';
  for (const row of rows) text += `${columns.map((_, index) => csvField(row[index])).join(',')}\r\n`;
  return text;
}

function csvField(value: TableValue): string {
  if (value == null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
