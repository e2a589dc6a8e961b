/**
 * Every resource name, derived from the pipeline name (and, for buckets, account and region).
 * Deterministic on purpose: `cleanup` and `status` find everything with no local state at all.
 */

export const PIPELINE_TAG_KEY = 'stockpipe:pipeline';
/** The pipeline's name when neither --name, STOCKPIPE_NAME nor the config file gives one. */
export const DEFAULT_PIPELINE_NAME = 'stockpipe';
export const GLUE_TABLE = 'stock_data_table';

export interface PipelineNames {
  stream: string;
  quotesTable: string;
  alertsTable: string;
  ingestFunction: string;
  trendsFunction: string;
  ingestRole: string;
  trendsRole: string;
  alertsTopic: string;
  /** On-failure destination of both event source mappings: records Lambda gave up on. */
  failuresTopic: string;
  glueDatabase: string;
  glueTable: string;
  workgroup: string;
  ingestLogGroup: string;
  trendsLogGroup: string;
  alarms: { noIncomingData: string; ingestErrors: string; trendsErrors: string; iteratorAge: string };
}

export function pipelineNames(name: string): PipelineNames {
  const ingestFunction = `${name}-ingest`;
  const trendsFunction = `${name}-trends`;
  return {
    stream: `${name}-stream`,
    quotesTable: `${name}-quotes`,
    alertsTable: `${name}-alerts`,
    ingestFunction,
    trendsFunction,
    ingestRole: `${name}-ingest-role`,
    trendsRole: `${name}-trends-role`,
    alertsTopic: `${name}-alerts`,
    failuresTopic: `${name}-failures`,
    // Glue and Athena identifiers cannot hold hyphens unquoted.
    glueDatabase: name.replace(/-/g, '_'),
    glueTable: GLUE_TABLE,
    workgroup: name,
    ingestLogGroup: `/aws/lambda/${ingestFunction}`,
    trendsLogGroup: `/aws/lambda/${trendsFunction}`,
    alarms: {
      noIncomingData: `${name}-no-incoming-data`,
      ingestErrors: `${name}-ingest-errors`,
      trendsErrors: `${name}-trends-errors`,
      iteratorAge: `${name}-iterator-age`,
    },
  };
}

/** Bucket names are global: account and region keep them unique (≤ 63 characters for a 24-character name). */
export function bucketNames(name: string, account: string, region: string): { raw: string; results: string } {
  return { raw: `${name}-raw-${account}-${region}`, results: `${name}-athena-${account}-${region}` };
}
