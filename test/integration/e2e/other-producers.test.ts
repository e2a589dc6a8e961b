import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { bucketNames } from '../../../src/core/names.ts';
import { localAwsClients } from '../../../src/local/clients.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../../src/local/constants.ts';
import { readStackState } from '../../../src/local/state.ts';
import { runCli } from '../../helpers/cli.ts';
import { localObjects, stampObjectsNow } from '../local/fixtures.ts';
import { freshWorkdir, REPO_ROOT, waitForDrain, waitUntil } from './harness.ts';

const STREAM = 'stockpipe-stream';
const BUCKET = bucketNames('stockpipe', LOCAL_ACCOUNT, LOCAL_REGION).raw;

/** A Python with boto3 (moto's virtualenv has one), or undefined: the SDK's own client stands in. */
function boto3Python(): string | undefined {
  const candidates = [
    process.env.STOCKPIPE_MOTO_SERVER ? join(dirname(process.env.STOCKPIPE_MOTO_SERVER), 'python') : undefined,
    join(REPO_ROOT, '.venv', 'bin', 'python'),
  ];
  for (const python of candidates) {
    if (python && existsSync(python) && spawnSync(python, ['-c', 'import boto3']).status === 0) return python;
  }
  return undefined;
}

/** The README's boto3 example, as a producer would write it (tutorial shape and a minimal one). */
const BOTO3_PRODUCER = `
import boto3, json, sys, datetime
kinesis = boto3.client('kinesis', endpoint_url=sys.argv[1], region_name=sys.argv[2],
                       aws_access_key_id=sys.argv[3], aws_secret_access_key=sys.argv[4])
for record in json.loads(sys.argv[5]):
    if record.pop('minimal', False):
        moment = datetime.datetime.fromisoformat(record.pop('at'))
        record = {'symbol': record['symbol'], 'timestamp': moment.isoformat() + 'Z', 'price': record['price']}
    kinesis.put_record(StreamName=sys.argv[6], Data=json.dumps(record), PartitionKey=record['symbol'])
`;

describe('any producer’s records reach the store; what is given up on is redriven once', () => {
  const { cwd, dispose } = freshWorkdir('producers');
  const local = (...argv: string[]) => runCli([...argv, '--target', 'local'], { cwd });
  let clients: ReturnType<typeof localAwsClients>;
  const python = boto3Python();

  /** Writes records with a Kinesis client that is not stockpipe's producer: boto3, or the bare SDK. */
  async function produce(records: Record<string, unknown>[]): Promise<void> {
    const endpoint = readStackState(cwd)?.endpoints.kinesis as string;
    if (python) {
      // The stack's own key: its endpoints answer no other (`stockpipe local env` prints it).
      const { accessKeyId, secretAccessKey } = readStackState(cwd)?.endpoints.credentials ?? {
        accessKeyId: '',
        secretAccessKey: '',
      };
      const args = [endpoint, LOCAL_REGION, accessKeyId, secretAccessKey, JSON.stringify(records), STREAM];
      const run = spawnSync(python, ['-c', BOTO3_PRODUCER, ...args], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      return;
    }
    const kinesis = await clients.get('kinesis');
    for (const record of records) {
      const { minimal, at, ...rest } = record;
      const body = minimal ? { symbol: rest.symbol, timestamp: `${String(at)}Z`, price: rest.price } : rest;
      await kinesis.send(
        new PutRecordCommand({
          StreamName: STREAM,
          Data: Buffer.from(JSON.stringify(body)),
          PartitionKey: String(rest.symbol),
        }),
      );
    }
  }

  async function quotes(): Promise<Record<string, unknown>[]> {
    const documents = await clients.documentClient();
    const result = await documents.send(new ScanCommand({ TableName: 'stockpipe-quotes' }));
    return (result.Items ?? []) as Record<string, unknown>[];
  }

  before(async () => {
    const setup = await local('setup');
    assert.equal(setup.code, 0, setup.stderr);
    const state = readStackState(cwd);
    assert.ok(state);
    clients = localAwsClients(state.endpoints);
  });
  after(async () => {
    await clients?.destroy();
    await dispose();
  });

  it(`records written with ${python ? 'boto3 put_record' : 'the bare SDK'} in other producers’ shapes are stored and queryable`, async () => {
    // Replayed history from 2016 (before the old 2020 projection start): dates do not depend on today.
    await produce([
      {
        symbol: 'AAPL',
        open: 102.61,
        high: 105.37,
        low: 102,
        price: 105.35,
        previous_close: 105.26,
        change: 0.09,
        change_percent: 0.09,
        volume: 67649400,
        timestamp: '2016-01-04T20:00:00Z',
      },
      { minimal: true, symbol: 'msft', at: '2016-01-04T20:00:00.123456', price: 54.8 },
    ]);
    await waitUntil(async () => (await quotes()).length === 2 || `${(await quotes()).length} quotes`, 'two quotes');
    const stored = await quotes();
    assert.deepEqual(stored.map((quote) => [quote.symbol, quote.timestamp, quote.source]).sort(), [
      ['AAPL', '2016-01-04T20:00:00.000Z', 'external'],
      ['MSFT', '2016-01-04T20:00:00.123Z', 'external'],
    ]);

    const history = await local(
      'query',
      'history',
      '--symbol',
      'AAPL',
      '--from',
      '2016-01-01',
      '--to',
      '2016-12-31',
      '--json',
    );
    assert.equal(history.code, 0, history.stderr);
    assert.deepEqual(
      JSON.parse(history.stdout).map((row: { timestamp: string; price: number }) => [row.timestamp, row.price]),
      [['2016-01-04T20:00:00.000Z', 105.35]],
    );

    const status = await local('status', '--json');
    const report = JSON.parse(status.stdout);
    assert.equal(report.stream, STREAM, 'status names the stream to write to');
    assert.equal(report.activity.quarantinedLastDay, 0);
  });

  it('a record quarantined under an older contract is stored after redrive --from quarantine, once', async () => {
    // What the previous contract's ingest wrote for the tutorial's record (no event_id, no source).
    const payload = JSON.stringify({ symbol: 'NVDA', timestamp: '2016-01-05T20:00:00Z', price: 32.37 });
    const s3 = await clients.get('s3');
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'quarantine/dt=2016-01-05/shardId-000000000000-49600000000000000000000000000000000000000000000000000001.json',
        Body: JSON.stringify({
          reason: 'missing_field',
          detail: "missing field 'event_id'",
          shard_id: 'shardId-000000000000',
          sequence_number: '49600000000000000000000000000000000000000000000000000001',
          partition_key: 'NVDA',
          arrived_at: '2016-01-05T20:00:01.000Z',
          payload_encoding: 'utf8',
          payload,
        }),
      }),
    );
    stampObjectsNow(cwd, BUCKET, 'quarantine/');
    const status = JSON.parse((await local('status', '--json')).stdout);
    assert.equal(status.activity.quarantinedLastDay, 1);

    const redrive = await local('redrive', '--from', 'quarantine');
    assert.equal(redrive.code, 0, redrive.stderr);
    assert.match(redrive.stdout, /^Redrove 1 record from 1 object under quarantine\//);
    await waitUntil(async () => (await quotes()).some((quote) => quote.symbol === 'NVDA'), 'the redriven quote');
    assert.deepEqual([...localObjects(cwd, BUCKET, 'quarantine/').keys()], [], 'moved aside');
    assert.equal(localObjects(cwd, BUCKET, 'redriven/quarantine/').size, 1);

    const again = await local('redrive', '--from', 'quarantine');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^Nothing to redrive under quarantine\//);
  });

  it('a batch the mapping gave up on is kept whole under aws/lambda/, redriven once when the store is back', async () => {
    // Trends has seen every quote so far (it reads the table too), then the store goes away:
    // every write fails, the runner retries, then gives the batch up.
    await waitForDrain(cwd, 3);
    await (await clients.get('dynamodb')).send(new DeleteTableCommand({ TableName: 'stockpipe-quotes' }));
    await produce([{ symbol: 'TSLA', timestamp: '2016-01-06T20:00:00Z', price: 43.06 }]);
    await waitUntil(() => localObjects(cwd, BUCKET, 'aws/lambda/').size === 1, 'the on-failure record');
    const [body] = [...localObjects(cwd, BUCKET, 'aws/lambda/').values()] as [string];
    const failure = JSON.parse(body);
    assert.equal(failure.requestContext.condition, 'RetryAttemptsExhausted');
    const [record] = failure.payload.Records;
    assert.equal(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')).symbol, 'TSLA', 'whole');
    stampObjectsNow(cwd, BUCKET, 'aws/lambda/');
    assert.equal(JSON.parse((await local('status', '--json')).stdout).activity.failedLastDay, 1);

    const setup = await local('setup');
    assert.equal(setup.code, 0, setup.stderr);
    const dry = await local('redrive', '--from', 'failed', '--dry-run');
    assert.match(dry.stdout, /^Would redrive 1 record from 1 object under aws\/lambda\//);
    const redrive = await local('redrive', '--from', 'failed');
    assert.equal(redrive.code, 0, redrive.stderr);
    await waitUntil(async () => (await quotes()).some((quote) => quote.symbol === 'TSLA'), 'the redriven quote');
    const again = await local('redrive', '--from', 'failed');
    assert.match(again.stdout, /^Nothing to redrive under aws\/lambda\//);
  });
});
