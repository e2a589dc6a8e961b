/**
 * The one place the resource records of describe (types.ts: Change, Note) become the words people
 * read: the plan of `setup --dry-run`, the detail of setup's progress, the notes of `status`. No code
 * acts on these words; rewording one here changes what is printed, nothing else.
 */
import type { Change, Note, WholeField } from './types.ts';

/** How a setting compared as a whole is named. */
const WHOLE_FIELD_WORDS: Record<WholeField, string> = {
  tags: 'tags',
  trustPolicy: 'trust policy',
  inlinePolicy: 'inline policy',
  code: 'code',
  role: 'role',
  publicAccessBlock: 'block public access',
  defaultEncryption: 'default encryption',
  tlsOnlyPolicy: 'TLS-only bucket policy',
  resultsLocation: 'results location',
  bytesScannedCap: 'bytes-scanned cap',
  enforceConfiguration: 'enforce configuration',
  onFailureDestination: 'on-failure destination',
  filter: 'filter',
  dimensions: 'dimensions',
  actions: 'actions',
  actionsEnabled: 'actions enabled',
  description: 'description',
  enabled: 'enable',
  trendsCode: 'trends code',
  ingestEnvironment: 'ingest environment',
  trendsEnvironment: 'trends environment',
  handlerLoader: 'handler loader',
};

/** One change as a phrase: `timeout → 60s`, `replace stream NEW_AND_OLD_IMAGES → NEW_IMAGE`. */
export function renderChange(change: Change): string {
  if ('action' in change) {
    switch (change.action) {
      case 'removeInlinePolicy':
        return `remove inline policy ${change.policy}`;
      case 'detachPolicy':
        return `detach ${change.policyArn}`;
      case 'createOnCurrentSource':
        return 'create on the current source';
      case 'removeStaleMapping':
        return `remove stale mapping ${change.uuid} (source ${change.source})`;
      case 'subscribe':
        return `subscribe ${change.email}`;
    }
  }
  switch (change.field) {
    case 'capacityMode':
      return `capacity mode → ${change.to}`;
    case 'billingMode':
      return `billing → ${change.to}`;
    case 'runtime':
      return `runtime ${change.from} → ${change.to}`;
    case 'timeout':
      return `timeout → ${change.to}s`;
    case 'memory':
      return `memory → ${change.to} MB`;
    case 'logFormat':
      return `log format ${change.from} → ${change.to}`;
    case 'logRetention':
      return `retention ${change.from ?? 'never expire'} → ${change.to} days`;
    case 'expiry':
      return `expire objects after ${change.to} days`;
    case 'encryption':
    case 'architecture':
    case 'handler':
    case 'BatchSize':
    case 'MaximumBatchingWindowInSeconds':
    case 'MaximumRetryAttempts':
    case 'MaximumRecordAgeInSeconds':
    case 'BisectBatchOnFunctionError':
    case 'FunctionResponseTypes':
    case 'Namespace':
    case 'MetricName':
    case 'Statistic':
    case 'Period':
    case 'EvaluationPeriods':
    case 'Threshold':
    case 'ComparisonOperator':
    case 'TreatMissingData':
      return `${change.field} → ${change.to}`;
    case 'environment':
      return `environment ${change.keys.join(', ')}`;
    case 'stream':
      if (change.from === undefined) return `stream ${change.to}`;
      if (change.to === undefined) return 'no stream';
      return `replace stream ${change.from} → ${change.to}`;
    case 'ttl':
      return renderTtl(change);
    case 'tableDefinition':
      return `table ${change.part}`;
    case 'view':
      return `view ${change.part}`;
    case 'tableType':
      return `${change.from ?? 'a table'}, not a view`;
    default:
      return WHOLE_FIELD_WORDS[change.field];
  }
}

function renderTtl(change: Extract<Change, { field: 'ttl' }>): string {
  if (change.status === 'DISABLED') return `TTL on ${change.to}`;
  if (change.status === 'DISABLING') {
    return `TTL not enabled on ${change.to}: TTL is DISABLING (AWS allows the next change only once it is DISABLED, up to an hour): run setup again later`;
  }
  return `TTL not enabled on ${change.to}: TTL is ${change.status} on ${change.attribute ?? 'another attribute'} (AWS refuses to switch attributes): disable it, then run setup again once it is DISABLED`;
}

export const renderChanges = (changes: readonly Change[]): string[] => changes.map(renderChange);

/** One note as a phrase: `state Enabled`, `you@example.com: pending confirmation`. */
export function renderNote(note: Note): string {
  switch (note.note) {
    case 'status':
      return `status ${note.status}`;
    case 'state':
      return `state ${note.state}${note.reason ? `: ${note.reason}` : ''}${note.actionsOff ? ' (actions off)' : ''}`;
    case 'lastUpdateFailed':
      return `last update failed: ${note.reason ?? 'unknown reason'}`;
    case 'lastProcessingResult':
      return `last processing result ${note.result}`;
    case 'differs':
      return `differs: ${renderChange(note.change)}`;
    case 'leftover':
      return `left over from an earlier version: ${note.name} (cleanup deletes it)`;
    case 'subscription':
      return `${note.email}: ${note.confirmed ? 'confirmed' : 'pending confirmation'}`;
    case 'staleMapping':
      return `stale mapping ${note.uuid} on ${note.source}`;
    case 'earlierName':
      return `under its earlier name ${note.name}`;
    case 'disabled':
      return 'disabled';
    case 'shards':
      return `${note.count ?? '?'} shards`;
    case 'standIn':
      return `${note.aws} → ${note.local}`;
  }
}

export const renderNotes = (notes: readonly Note[]): string[] => notes.map(renderNote);
