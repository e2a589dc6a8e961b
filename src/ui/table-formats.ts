/** How a table can be printed (--format): its own module, so a command's flags name them without loading the table code. */
export const TABLE_FORMATS = ['table', 'csv', 'json'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];
