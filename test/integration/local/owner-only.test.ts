/**
 * The local stack answers only its owner (issue 24: any local process read and deleted another
 * pipeline's table and objects with any key, or s3rver's fixed S3RVER one). Its key is made per
 * state folder and readable by the owner only; Kinesis, DynamoDB and S3 refuse every other key, a
 * wrong secret and an unsigned request, as AWS refuses them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { bucketNames } from '../../../src/core/names.ts';
import { localAwsClients } from '../../../src/local/clients.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../../src/local/constants.ts';
import { stackKeyFile } from '../../../src/local/credentials.ts';
import { localPaths } from '../../../src/local/paths.ts';
import { ensureLocalStack } from '../../../src/local/stack.ts';
import type { LocalEndpoints } from '../../../src/local/state.ts';
import { runCli } from '../../helpers/cli.ts';
import { removeStackFolder } from '../../helpers/stack-folder.ts';

const BUCKET = bucketNames('stockpipe', LOCAL_ACCOUNT, LOCAL_REGION).raw;

describe('the local stack answers only its owner', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-owner-'));
  let endpoints: LocalEndpoints;

  before(async () => {
    endpoints = (await ensureLocalStack(cwd)).endpoints;
    const setup = await runCli(['setup', '--target', 'local'], { cwd });
    assert.equal(setup.code, 0, setup.stderr);
  });
  after(() => removeStackFolder(cwd));

  /** The three list calls with `credentials`: each one's outcome, the error's name when refused. */
  async function listAs(credentials: LocalEndpoints['credentials']): Promise<string[]> {
    const clients = localAwsClients({ ...endpoints, credentials });
    try {
      const outcome = (call: Promise<unknown>) =>
        call.then(
          () => 'ok',
          (error: Error) => error.name,
        );
      return [
        await outcome((await clients.get('kinesis')).send(new ListStreamsCommand({}))),
        await outcome((await clients.get('dynamodb')).send(new ListTablesCommand({}))),
        await outcome((await clients.get('s3')).send(new ListObjectsV2Command({ Bucket: BUCKET }))),
      ];
    } finally {
      await clients.destroy();
    }
  }

  it('its own key works; the key is made for this folder and readable by its owner only', async () => {
    assert.deepEqual(await listAs(endpoints.credentials), ['ok', 'ok', 'ok']);
    assert.match(endpoints.credentials.accessKeyId, /^LKIA[A-Z2-7]{16}$/);
    assert.equal(statSync(stackKeyFile(localPaths(cwd))).mode & 0o777, 0o600);
  });

  it('any other key, s3rver’s fixed one included, is refused by all three', async () => {
    for (const other of [
      { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    ]) {
      assert.deepEqual(
        await listAs(other),
        ['UnrecognizedClientException', 'UnrecognizedClientException', 'InvalidAccessKeyId'],
        other.accessKeyId,
      );
    }
  });

  it('the stack’s key id with a wrong secret is refused: the signature is checked, not only the id', async () => {
    assert.deepEqual(await listAs({ ...endpoints.credentials, secretAccessKey: 'not-the-secret' }), [
      'InvalidSignatureException',
      'InvalidSignatureException',
      'SignatureDoesNotMatch',
    ]);
  });

  it('an unsigned request is refused', async () => {
    const kinesis = await fetch(endpoints.kinesis, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' },
      body: '{}',
    });
    assert.equal(kinesis.status, 400);
    assert.match(await kinesis.text(), /MissingAuthenticationTokenException/);
    const s3 = await fetch(`${endpoints.s3}/${BUCKET}?list-type=2`);
    assert.equal(s3.status, 403);
    assert.match(await s3.text(), /<Code>AccessDenied<\/Code>/);
  });

  it('local env prints the key and endpoints as exports; status and start never print the secret', async () => {
    const env = await runCli(['local', 'env'], { cwd });
    assert.equal(env.code, 0, env.stderr);
    assert.deepEqual(env.stdout.trim().split('\n'), [
      `export AWS_ACCESS_KEY_ID=${endpoints.credentials.accessKeyId}`,
      `export AWS_SECRET_ACCESS_KEY=${endpoints.credentials.secretAccessKey}`,
      `export AWS_REGION=${LOCAL_REGION}`,
      `export AWS_ENDPOINT_URL_KINESIS=${endpoints.kinesis}`,
      `export AWS_ENDPOINT_URL_DYNAMODB=${endpoints.dynamodb}`,
      `export AWS_ENDPOINT_URL_S3=${endpoints.s3}`,
    ]);
    for (const argv of [
      ['local', 'status', '--json'],
      ['local', 'start', '--json'],
      ['local', 'status'],
    ]) {
      const shown = await runCli(argv, { cwd });
      assert.equal(shown.code, 0, shown.stderr);
      assert.ok(!shown.stdout.includes(endpoints.credentials.secretAccessKey), argv.join(' '));
    }
  });
});
