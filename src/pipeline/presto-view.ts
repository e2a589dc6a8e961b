/**
 * How Athena stores a view in the Glue Data Catalog, so a view created with Glue's CreateTable is
 * one Athena reads as its own: `ViewOriginalText` is `/* Presto View: <base64 of JSON> *\/` (the
 * JSON is Trino's view definition: SQL, catalog, schema, columns with Trino types),
 * `ViewExpandedText` is the `/* Presto View *\/` marker, and the parameters `presto_view=true`,
 * `comment=Presto View` tell Athena it is not a Hive view. Pure.
 */

export const PRESTO_VIEW_PREFIX = '/* Presto View: ';
export const PRESTO_VIEW_SUFFIX = ' */';
export const PRESTO_VIEW_EXPANDED_TEXT = '/* Presto View */';
export const PRESTO_VIEW_PARAMETERS: Readonly<Record<string, string>> = {
  presto_view: 'true',
  comment: 'Presto View',
};
/** Athena's name for the Glue Data Catalog. */
export const ATHENA_CATALOG = 'awsdatacatalog';

export interface PrestoViewDefinition {
  originalSql: string;
  catalog: string;
  schema: string;
  columns: { name: string; type: string }[];
  /**
   * false: Trino's default (SECURITY DEFINER), which Athena's CREATE VIEW has no clause to change.
   * `path`, the SQL path, empty: newer Trino versions' definitions carry it (a public report has
   * Athena engine 3 refusing a Glue-made view without it); older ones ignore unknown fields.
   */
  runAsInvoker: false;
  path: string[];
}

export function encodePrestoView(definition: PrestoViewDefinition): string {
  const json = JSON.stringify(definition);
  return `${PRESTO_VIEW_PREFIX}${Buffer.from(json, 'utf8').toString('base64')}${PRESTO_VIEW_SUFFIX}`;
}

/** The definition inside a `ViewOriginalText`, or undefined when it is not a Presto view's. */
export function decodePrestoView(text: string | undefined): Record<string, unknown> | undefined {
  if (!text?.startsWith(PRESTO_VIEW_PREFIX) || !text.endsWith(PRESTO_VIEW_SUFFIX)) return undefined;
  const data = text.slice(PRESTO_VIEW_PREFIX.length, text.length - PRESTO_VIEW_SUFFIX.length);
  try {
    const parsed: unknown = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
