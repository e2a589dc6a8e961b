/**
 * The ids of the pipeline's resource nodes: the contract between the AWS graph (aws-graph.ts) and
 * every other target's graph (src/local/graph.ts), and what dependsOn, status and the permission
 * table refer to. A target implements the ids it has; the compiler checks every use.
 */

export const ALARM_IDS = [
  'alarm-no-incoming-data',
  'alarm-ingest-errors',
  'alarm-trends-errors',
  'alarm-iterator-age',
  'alarm-trends-iterator-age',
  'alarm-quotes-write-throttles',
  'alarm-quotes-read-throttles',
] as const;
export type AlarmId = (typeof ALARM_IDS)[number];

export const MAPPING_IDS = ['ingest-mapping', 'trends-mapping'] as const;
export type MappingId = (typeof MAPPING_IDS)[number];

export type NodeId =
  | 'stream'
  | 'raw-bucket'
  | 'results-bucket'
  | 'quotes-table'
  | 'alerts-table'
  | 'alerts-topic'
  | 'alert-subscriptions'
  | 'ingest-log-group'
  | 'trends-log-group'
  | 'ingest-role'
  | 'trends-role'
  | 'ingest-function'
  | 'trends-function'
  | MappingId
  | 'glue-database'
  | 'glue-table'
  | 'glue-table-monthly'
  | 'glue-table-compacted'
  | 'glue-table-compacted-monthly'
  | 'glue-view'
  | 'workgroup'
  | AlarmId
  /** Local only: the local runner's registration, standing in for the functions and mappings. */
  | 'local-runner';

export const isMappingId = (id: NodeId): id is MappingId => (MAPPING_IDS as readonly NodeId[]).includes(id);
