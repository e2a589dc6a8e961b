/**
 * What `query sql` accepts on both targets: one statement that only reads. Judged from the SQL
 * text before any engine sees it, so Athena (which would run an INSERT, a CTAS or a DROP) and DuckDB
 * (whose binder fails on a DELETE of a view before its own statement-type check) refuse the same
 * things the same way: a usage error naming what was given.
 */

/** Leading whitespace, comments and opening parentheses: what may come before the first keyword. */
const LEADING = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*/;
const KEYWORD = /^[A-Za-z_]+/;
const READ_ONLY = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE']);

function firstKeyword(sql: string): { keyword: string; rest: string } {
  const start = sql.replace(LEADING, '');
  const keyword = KEYWORD.exec(start)?.[0]?.toUpperCase() ?? '';
  return { keyword, rest: start.slice(keyword.length) };
}

/**
 * Undefined when `sql` is one read-only statement (SELECT, WITH … SELECT, VALUES, EXPLAIN of one);
 * otherwise the kind of statement it is (DELETE, INSTALL, ATTACH …), for the error message.
 */
export function writingStatementKind(sql: string): string | undefined {
  let { keyword, rest } = firstKeyword(sql);
  if (keyword === 'EXPLAIN') {
    ({ keyword, rest } = firstKeyword(rest));
    // EXPLAIN ANALYZE runs the statement it explains.
    if (keyword === 'ANALYZE') ({ keyword } = firstKeyword(rest));
  }
  if (READ_ONLY.has(keyword)) return undefined;
  return keyword === '' ? 'an unrecognised' : keyword;
}
