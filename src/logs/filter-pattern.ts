/**
 * CloudWatch Logs filter patterns, evaluated locally for the offline target: the forms people use
 * with `tail --filter`. Plain terms must all appear (case-sensitive), "quoted phrases" match
 * exactly, `?term` makes a group where any one term suffices, `-term` excludes; JSON patterns
 * `{ $.level = "ERROR" }` compare fields with = or != (`*` as a wildcard), joined by && or ||.
 */
import { UsageError } from '../errors.ts';

export type LogMatcher = (message: string) => boolean;

export function compileFilterPattern(pattern: string | undefined): LogMatcher {
  const text = pattern?.trim() ?? '';
  if (text === '') return () => true;
  if (text.startsWith('{')) return compileJsonPattern(text);
  return compileTermPattern(text);
}

function compileTermPattern(text: string): LogMatcher {
  const terms = [...text.matchAll(/([?-]?)(?:"([^"]*)"|(\S+))/g)].map(([, prefix, quoted, bare]) => ({
    prefix,
    term: quoted ?? bare ?? '',
  }));
  const anyOf = terms.filter((t) => t.prefix === '?').map((t) => t.term);
  const excluded = terms.filter((t) => t.prefix === '-').map((t) => t.term);
  const required = terms.filter((t) => t.prefix === '').map((t) => t.term);
  return (message) =>
    required.every((term) => message.includes(term)) &&
    !excluded.some((term) => message.includes(term)) &&
    (anyOf.length === 0 || anyOf.some((term) => message.includes(term)));
}

const CONDITION = /^\s*\$\.([\w.[\]]+)\s*(=|!=)\s*(?:"([^"]*)"|([^\s&|)]+))\s*$/;

function compileJsonPattern(text: string): LogMatcher {
  if (!text.endsWith('}')) throw unsupported(text);
  const body = text.slice(1, -1);
  const joiner = body.includes('||') ? '||' : '&&';
  if (body.includes('||') && body.includes('&&')) throw unsupported(text);
  const conditions = body.split(joiner).map((part) => {
    const match = CONDITION.exec(part);
    if (!match) throw unsupported(text);
    const [, path = '', operator, quoted, bare] = match;
    return { path: path.split('.'), equals: operator === '=', expected: quoted ?? bare ?? '' };
  });
  return (message) => {
    let document: unknown;
    try {
      document = JSON.parse(message);
    } catch {
      return false;
    }
    const results = conditions.map(({ path, equals, expected }) => {
      const value = path.reduce<unknown>(
        (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
        document,
      );
      const matches = value !== undefined && (expected === '*' || String(value) === expected);
      return equals ? matches : !matches;
    });
    return joiner === '&&' ? results.every(Boolean) : results.some(Boolean);
  };
}

function unsupported(pattern: string): UsageError {
  return new UsageError(
    `filter pattern ${pattern} is not supported offline: use terms ("ERROR", ?WARN, -DEBUG) or { $.field = "value" } joined by && or ||`,
  );
}
