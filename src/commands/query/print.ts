/**
 * A query's rows printed as they arrive, in any format, in memory bounded by one page of rows:
 * `--format json` and `csv` byte for byte what printing the whole result at once gives, the table
 * laid out from its first rows. At a terminal a table stops after TERMINAL_ROWS rows and says how
 * many there are and how to get them all, as a pager would.
 */
import type { ResultColumn, ResultValue } from '../../query/runner.ts';
import { type IO, terminalWidth } from '../../ui/io.ts';
import { renderCsv, renderCsvRows, type TableColumn, TableStream } from '../../ui/table.ts';
import type { QueryPlan } from './plan.ts';

/** Rows a terminal is shown; the rest are counted. */
export const TERMINAL_ROWS = 2000;

export interface ResultPrinter {
  /** More rows, in order. */
  take(columns: ResultColumn[], rows: ResultValue[][]): Promise<void>;
  /** The result is complete: close what is open (the JSON array, the table's border). */
  finish(rowCount: number): Promise<void>;
}

/** Writes `text`, waiting while stdout's buffer is full: a slow reader slows the query, not memory. */
async function write(io: IO, text: string): Promise<void> {
  if (text === '' || io.stdout.write(text)) return;
  await new Promise<void>((resolve) => io.stdout.once('drain', () => resolve()));
}

const tableColumns = (columns: ResultColumn[]): TableColumn[] =>
  columns.map((column) => ({ name: column.name, numeric: column.kind === 'number' }));

export function resultPrinter(format: QueryPlan['format'], io: IO): ResultPrinter {
  if (format === 'json') return jsonPrinter(io);
  if (format === 'csv') return csvPrinter(io);
  return tablePrinter(io);
}

/** JSON.stringify(rows, null, 2), one element at a time. */
function jsonPrinter(io: IO): ResultPrinter {
  let printed = 0;
  return {
    async take(columns, rows) {
      let text = '';
      for (const row of rows) {
        const object = Object.fromEntries(columns.map((column, index) => [column.name, row[index] ?? null]));
        const element = JSON.stringify(object, null, 2).replaceAll('\n', '\n  ');
        text += `${printed++ === 0 ? '[\n  ' : ',\n  '}${element}`;
      }
      await write(io, text);
    },
    finish: () => write(io, printed === 0 ? '[]\n' : '\n]\n'),
  };
}

function csvPrinter(io: IO): ResultPrinter {
  let headed = false;
  return {
    async take(columns, rows) {
      const table = tableColumns(columns);
      await write(io, headed ? renderCsvRows(table, rows) : renderCsv(table, rows));
      headed = true;
    },
    finish: async () => undefined,
  };
}

function tablePrinter(io: IO): ResultPrinter {
  const width = terminalWidth(io);
  const limit = width === undefined ? Number.POSITIVE_INFINITY : TERMINAL_ROWS;
  let table: TableStream | undefined;
  let shown = 0;
  return {
    async take(columns, rows) {
      table ??= new TableStream(tableColumns(columns), io.style, { width });
      const room = Math.max(0, limit - shown);
      if (room === 0 && shown > 0) return;
      const part = rows.length > room ? rows.slice(0, room) : rows;
      shown += part.length;
      await write(io, table.push(part));
    },
    async finish(rowCount) {
      if (table) await write(io, table.end());
      if (rowCount > shown) {
        io.err(
          `showing the first ${shown.toLocaleString('en-US')} of ${rowCount.toLocaleString('en-US')} rows at the terminal: --format csv (or json, or a pipe) prints them all`,
        );
      }
    },
  };
}
