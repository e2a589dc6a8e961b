/**
 * Every resource name, derived from the pipeline name (and, for buckets, account and region).
 * Deterministic on purpose: `cleanup` and `status` find everything with no local state at all.
 */

/**
 * The tag every taggable resource carries, with the pipeline's name as its value. One key valid in
 * every service we tag: Kinesis allows only letters, digits, space and `_ . / = + - % @` (no colon),
 * IAM and Athena no `%`; `/` is allowed by all of them.
 */
export const PIPELINE_TAG_KEY = 'stockpipe/pipeline';
/** Keys earlier versions tagged with: still recognised, so such a pipeline is still ours. */
export const LEGACY_PIPELINE_TAG_KEYS: readonly string[] = ['stockpipe:pipeline'];

/** The pipeline a tag set names, under the current key or a legacy one; undefined when none. */
export function pipelineOfTags(tags: ReadonlyMap<string | undefined, string | undefined>): string | undefined {
  for (const key of [PIPELINE_TAG_KEY, ...LEGACY_PIPELINE_TAG_KEYS]) {
    const value = tags.get(key);
    if (value) return value;
  }
  return undefined;
}

/**
 * Names AWS keeps for itself. `primary` is every account's default Athena workgroup, which earlier
 * versions (workgroup = pipeline name) would have taken over; bucket names may not start with
 * these prefixes (and our bucket names start with the pipeline name).
 */
export const RESERVED_PIPELINE_NAMES: readonly string[] = ['primary'];
export const RESERVED_BUCKET_PREFIXES: readonly string[] = ['sthree-', 'amzn-s3-demo-', 'xn--'];
export const RESERVED_BUCKET_SUFFIXES: readonly string[] = ['-s3alias', '--ol-s3', '.mrap', '--x-s3'];

/** Why AWS would refuse (or misread) a pipeline called `name`, or undefined when it is fine. */
export function reservedNameProblem(name: string): string | undefined {
  if (RESERVED_PIPELINE_NAMES.includes(name)) {
    return `'${name}' is the name of the account's default Athena workgroup`;
  }
  // Check the bucket names themselves (account and region do not change their start or end shape).
  const { raw, results } = bucketNames(name, '000000000000', 'us-east-1');
  for (const bucket of [raw, results]) {
    const prefix = RESERVED_BUCKET_PREFIXES.find((candidate) => bucket.startsWith(candidate));
    if (prefix)
      return `S3 reserves bucket names starting with '${prefix}' and this pipeline's buckets start with '${name}-'`;
    const suffix = RESERVED_BUCKET_SUFFIXES.find((candidate) => bucket.endsWith(candidate));
    if (suffix) return `S3 reserves bucket names ending with '${suffix}'`;
  }
  return undefined;
}
/** The pipeline's name when neither --name, STOCKPIPE_NAME nor the config file gives one. */
export const DEFAULT_PIPELINE_NAME = 'stockpipe';
/** The table every query names: on AWS a Glue view holding each observation once. */
export const GLUE_TABLE = 'stock_data_table';
/** The Glue table over the raw objects as they are (an observation written twice is there twice). */
export const GLUE_RAW_TABLE = 'stock_data_raw';
/** The same over the raw objects written by month (older records: replayed history, late data). */
export const GLUE_RAW_MONTHLY_TABLE = 'stock_data_raw_monthly';
/** The Parquet twins of the raw tables `stockpipe compact` writes: closed days, closed months. */
export const GLUE_COMPACTED_TABLE = 'stock_data_compacted';
export const GLUE_COMPACTED_MONTHLY_TABLE = 'stock_data_compacted_monthly';

export interface PipelineNames {
  stream: string;
  quotesTable: string;
  alertsTable: string;
  ingestFunction: string;
  trendsFunction: string;
  ingestRole: string;
  trendsRole: string;
  alertsTopic: string;
  /**
   * A topic earlier versions created (as the mappings' on-failure destination) and nothing uses
   * any more: cleanup still deletes one that is left over.
   */
  legacyFailuresTopic: string;
  glueDatabase: string;
  /** The view queries name (GLUE_TABLE). */
  glueTable: string;
  /** The tables over the raw objects the view reads: by date (GLUE_RAW_TABLE), by month (GLUE_RAW_MONTHLY_TABLE). */
  glueRawTable: string;
  glueRawMonthlyTable: string;
  /** Their compacted twins (GLUE_COMPACTED_TABLE, GLUE_COMPACTED_MONTHLY_TABLE), which the view reads too. */
  glueCompactedTable: string;
  glueCompactedMonthlyTable: string;
  /** Never the pipeline's bare name: `primary` is the account's default workgroup. */
  workgroup: string;
  /** Where earlier versions put the workgroup (the bare name): status and cleanup still find it. */
  legacyWorkgroup: string;
  ingestLogGroup: string;
  trendsLogGroup: string;
  alarms: {
    noIncomingData: string;
    ingestErrors: string;
    trendsErrors: string;
    /** The ingest mapping falling behind the Kinesis stream. */
    iteratorAge: string;
    /** The trends mapping falling behind the quotes table's stream. */
    trendsIteratorAge: string;
    quotesWriteThrottles: string;
    quotesReadThrottles: string;
  };
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
    legacyFailuresTopic: `${name}-failures`,
    // Glue and Athena identifiers cannot hold hyphens unquoted.
    glueDatabase: name.replace(/-/g, '_'),
    glueTable: GLUE_TABLE,
    glueRawTable: GLUE_RAW_TABLE,
    glueRawMonthlyTable: GLUE_RAW_MONTHLY_TABLE,
    glueCompactedTable: GLUE_COMPACTED_TABLE,
    glueCompactedMonthlyTable: GLUE_COMPACTED_MONTHLY_TABLE,
    workgroup: `${name}-workgroup`,
    legacyWorkgroup: name,
    ingestLogGroup: `/aws/lambda/${ingestFunction}`,
    trendsLogGroup: `/aws/lambda/${trendsFunction}`,
    alarms: {
      noIncomingData: `${name}-no-incoming-data`,
      ingestErrors: `${name}-ingest-errors`,
      trendsErrors: `${name}-trends-errors`,
      iteratorAge: `${name}-iterator-age`,
      trendsIteratorAge: `${name}-trends-iterator-age`,
      quotesWriteThrottles: `${name}-quotes-write-throttles`,
      quotesReadThrottles: `${name}-quotes-read-throttles`,
    },
  };
}

/** Bucket names are global: account and region keep them unique (≤ 63 characters for a 24-character name). */
export function bucketNames(name: string, account: string, region: string): { raw: string; results: string } {
  return { raw: `${name}-raw-${account}-${region}`, results: `${name}-athena-${account}-${region}` };
}
