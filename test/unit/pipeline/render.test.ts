import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChange, renderNote } from '../../../src/pipeline/render.ts';
import type { Change, Note } from '../../../src/pipeline/types.ts';

// The words the plan, setup's progress and status print (docs/commands.md shows some): one row per
// kind of record, so a rewording is a deliberate change here too.
const CHANGES: [Change, string][] = [
  [{ field: 'tags' }, 'tags'],
  [{ field: 'trustPolicy' }, 'trust policy'],
  [{ field: 'inlinePolicy' }, 'inline policy'],
  [{ field: 'publicAccessBlock' }, 'block public access'],
  [{ field: 'defaultEncryption' }, 'default encryption'],
  [{ field: 'tlsOnlyPolicy' }, 'TLS-only bucket policy'],
  [{ field: 'resultsLocation' }, 'results location'],
  [{ field: 'bytesScannedCap' }, 'bytes-scanned cap'],
  [{ field: 'enforceConfiguration' }, 'enforce configuration'],
  [{ field: 'onFailureDestination' }, 'on-failure destination'],
  [{ field: 'actionsEnabled' }, 'actions enabled'],
  [{ field: 'enabled' }, 'enable'],
  [{ field: 'trendsCode' }, 'trends code'],
  [{ field: 'handlerLoader' }, 'handler loader'],
  [{ field: 'capacityMode', from: 'PROVISIONED', to: 'on-demand' }, 'capacity mode → on-demand'],
  [{ field: 'encryption', to: 'KMS alias/aws/kinesis' }, 'encryption → KMS alias/aws/kinesis'],
  [{ field: 'billingMode', from: 'PROVISIONED', to: 'on-demand' }, 'billing → on-demand'],
  [{ field: 'architecture', from: 'x86_64', to: 'arm64' }, 'architecture → arm64'],
  [{ field: 'runtime', from: 'nodejs20.x', to: 'nodejs22.x' }, 'runtime nodejs20.x → nodejs22.x'],
  [{ field: 'handler', from: 'x.handler', to: 'index.handler' }, 'handler → index.handler'],
  [{ field: 'timeout', from: 3, to: 60 }, 'timeout → 60s'],
  [{ field: 'memory', from: 128, to: 512 }, 'memory → 512 MB'],
  [{ field: 'logFormat', from: 'Text', to: 'JSON' }, 'log format Text → JSON'],
  [{ field: 'logRetention', from: 30, to: 14 }, 'retention 30 → 14 days'],
  [{ field: 'logRetention', to: 14 }, 'retention never expire → 14 days'],
  [{ field: 'expiry', to: 7 }, 'expire objects after 7 days'],
  [{ field: 'BatchSize', from: 10, to: 500 }, 'BatchSize → 500'],
  [{ field: 'Threshold', from: 99, to: '1' }, 'Threshold → 1'],
  [{ field: 'environment', keys: ['EXTRA', 'TTL_DAYS'] }, 'environment EXTRA, TTL_DAYS'],
  [{ field: 'stream', to: 'NEW_IMAGE' }, 'stream NEW_IMAGE'],
  [{ field: 'stream', from: 'NEW_AND_OLD_IMAGES', to: 'NEW_IMAGE' }, 'replace stream NEW_AND_OLD_IMAGES → NEW_IMAGE'],
  [{ field: 'stream', from: 'NEW_IMAGE' }, 'no stream'],
  [{ field: 'ttl', status: 'DISABLED', to: 'expires_at' }, 'TTL on expires_at'],
  [
    { field: 'ttl', status: 'DISABLING', attribute: 'expires_at', to: 'expires_at' },
    'TTL not enabled on expires_at: TTL is DISABLING (AWS allows the next change only once it is DISABLED, up to an hour): run setup again later',
  ],
  [
    { field: 'ttl', status: 'ENABLED', attribute: 'ttl', to: 'expires_at' },
    'TTL not enabled on expires_at: TTL is ENABLED on ttl (AWS refuses to switch attributes): disable it, then run setup again once it is DISABLED',
  ],
  [{ field: 'tableDefinition', part: 'location' }, 'table location'],
  [{ field: 'view', part: 'definition' }, 'view definition'],
  [{ field: 'tableType', from: 'EXTERNAL_TABLE' }, 'EXTERNAL_TABLE, not a view'],
  [{ field: 'tableType' }, 'a table, not a view'],
  [{ action: 'removeInlinePolicy', policy: 'extra' }, 'remove inline policy extra'],
  [{ action: 'detachPolicy', policyArn: 'arn:aws:iam::aws:policy/X' }, 'detach arn:aws:iam::aws:policy/X'],
  [{ action: 'createOnCurrentSource' }, 'create on the current source'],
  [{ action: 'removeStaleMapping', uuid: 'old', source: 'arn:s' }, 'remove stale mapping old (source arn:s)'],
  [{ action: 'subscribe', email: 'me@example.com' }, 'subscribe me@example.com'],
];

const NOTES: [Note, string][] = [
  [{ note: 'status', status: 'UPDATING' }, 'status UPDATING'],
  [{ note: 'state', state: 'Enabled' }, 'state Enabled'],
  [{ note: 'state', state: 'Failed', reason: 'no role' }, 'state Failed: no role'],
  [{ note: 'state', state: 'OK', actionsOff: true }, 'state OK (actions off)'],
  [{ note: 'lastUpdateFailed' }, 'last update failed: unknown reason'],
  [{ note: 'lastProcessingResult', result: 'PROBLEM' }, 'last processing result PROBLEM'],
  [{ note: 'differs', change: { field: 'trustPolicy' } }, 'differs: trust policy'],
  [{ note: 'leftover', name: 'x-failures' }, 'left over from an earlier version: x-failures (cleanup deletes it)'],
  [{ note: 'subscription', email: 'me@example.com', confirmed: false }, 'me@example.com: pending confirmation'],
  [{ note: 'subscription', email: 'me@example.com', confirmed: true }, 'me@example.com: confirmed'],
  [{ note: 'staleMapping', uuid: 'old', source: 'arn:s' }, 'stale mapping old on arn:s'],
  [{ note: 'earlierName', name: 'alpha' }, 'under its earlier name alpha'],
  [{ note: 'disabled' }, 'disabled'],
  [{ note: 'shards', count: 2 }, '2 shards'],
  [{ note: 'standIn', aws: 'SNS', local: 'alerts.log' }, 'SNS → alerts.log'],
];

describe('the words for the resource records', () => {
  it('every kind of change reads as before', () => {
    for (const [change, words] of CHANGES) assert.equal(renderChange(change), words);
  });

  it('every kind of note reads as before', () => {
    for (const [note, words] of NOTES) assert.equal(renderNote(note), words);
  });
});
