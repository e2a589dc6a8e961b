/**
 * The raw tables' partition projection is sized to the data and widened, never narrowed, when
 * older records are stored (`query` finds them with one S3 list per folder) or about to be sent
 * (`stream --source replay`), against moto's Glue, S3, Athena and Kinesis, through the CLI.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateDatabaseCommand, CreateTableCommand, GetTableCommand } from '@aws-sdk/client-glue';
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../src/aws/clients.ts';
import { RAW_BY_MONTH } from '../../src/core/lake.ts';
import { bucketNames, pipelineNames } from '../../src/core/names.ts';
import { coverStoredRecords, widenProjection } from '../../src/pipeline/lake-range.ts';
import { glueTableInput, RAW_TABLES, type RawTable } from '../../src/pipeline/resources/glue.ts';
import { runCli } from '../helpers/cli.ts';
import { MOTO_ACCOUNT, MOTO_REGION, type Moto, motoSkipReason, startMoto } from '../helpers/moto.ts';

const PIPELINE = 'lakey';
const names = pipelineNames(PIPELINE);
const buckets = bucketNames(PIPELINE, MOTO_ACCOUNT, MOTO_REGION);

describe('the lake’s partition projection widens to older records', { skip: motoSkipReason() }, () => {
  let moto: Moto;
  let clients: AwsClients;
  let cwd: string;

  async function ranges(): Promise<[string | undefined, string | undefined]> {
    const glue = await clients.get('glue');
    const [byDate, byMonth] = await Promise.all(
      RAW_TABLES.map((table) =>
        glue.send(new GetTableCommand({ DatabaseName: names.glueDatabase, Name: table.name(names) })),
      ),
    );
    return [byDate?.Table?.Parameters?.['projection.dt.range'], byMonth?.Table?.Parameters?.['projection.month.range']];
  }

  async function put(key: string) {
    await (await clients.get('s3')).send(new PutObjectCommand({ Bucket: buckets.raw, Key: key, Body: 'x' }));
  }

  before(async () => {
    moto = await startMoto();
    clients = moto.clients();
    cwd = mkdtempSync(join(tmpdir(), 'sp-lake-'));
    await (await clients.get('s3')).send(new CreateBucketCommand({ Bucket: buckets.raw }));
    const glue = await clients.get('glue');
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: names.glueDatabase } }));
    // As setup leaves them on an empty lake on 2026-11-22.
    const ctx = { name: PIPELINE, names, buckets };
    for (const [table, start] of [
      [RAW_TABLES[0] as RawTable, '2026-11-22'],
      [RAW_TABLES[1] as RawTable, '2026-11'],
    ] as const) {
      await glue.send(
        new CreateTableCommand({ DatabaseName: names.glueDatabase, TableInput: glueTableInput(ctx, table, start) }),
      );
    }
    await (await clients.get('athena')).send(
      new CreateWorkGroupCommand({
        Name: names.workgroup,
        Configuration: { ResultConfiguration: { OutputLocation: `s3://${buckets.results}/` } },
      }),
    );
    const kinesis = await clients.get('kinesis');
    await kinesis.send(new CreateStreamCommand({ StreamName: names.stream, ShardCount: 1 }));
    await waitUntilStreamExists(
      { client: kinesis, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 },
      { StreamName: names.stream },
    );
    await (await clients.get('cloudwatch')).send(
      new PutMetricAlarmCommand({
        AlarmName: names.alarms.noIncomingData,
        Namespace: 'AWS/Kinesis',
        MetricName: 'IncomingRecords',
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        ActionsEnabled: false,
      }),
    );
  });
  after(async () => {
    await clients?.destroy();
    await moto?.stop();
  });

  const deps = async () => ({
    glue: await clients.get('glue'),
    s3: await clients.get('s3'),
    database: names.glueDatabase,
    names,
  });

  it('a lake holding nothing older than the ranges changes nothing', async () => {
    await put('raw/dt=2026-11-22/shardId-000000000000-1.json.gz');
    assert.deepEqual(await coverStoredRecords(await deps()), []);
    assert.deepEqual(await ranges(), ['2026-11-22,NOW+1DAYS', '2026-11,NOW']);
  });

  it('`query` widens each table to the oldest partition stored (one S3 list a folder), then leaves it', async () => {
    // Another producer sent history and a late record: stored, but outside both ranges.
    await put('raw-months/month=2019-03/shardId-000000000000-2.json.gz');
    await put('raw-months/month=2024-01/shardId-000000000000-3.json.gz');
    await put('raw/dt=2026-11-20/shardId-000000000000-4.json.gz');
    const first = await runCli(['query', 'sql', 'SELECT 1;', '--name', PIPELINE], { env: moto.env, cwd });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /stock_data_raw: partition projection widened from 2026-11-22 to 2026-11-20/);
    assert.match(first.stderr, /stock_data_raw_monthly: partition projection widened from 2026-11 to 2019-03/);
    assert.deepEqual(await ranges(), ['2026-11-20,NOW+1DAYS', '2019-03,NOW']);

    const again = await runCli(['query', 'sql', 'SELECT 1', '--name', PIPELINE], { env: moto.env, cwd });
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /widened/);
    assert.deepEqual(await ranges(), ['2026-11-20,NOW+1DAYS', '2019-03,NOW']);
  });

  it('`stream --source replay` widens the monthly table to the file’s oldest month before it sends', async () => {
    const file = join(cwd, 'old.csv');
    writeFileSync(
      file,
      ['Date,Open,High,Low,Close,Volume', '2015-01-02,1,1,1,10,100', '2015-01-05,1,1,1,11,100', ''].join('\n'),
    );
    const { code, stderr } = await runCli(
      ['stream', '--name', PIPELINE, '--source', 'replay', '--file', file, '--symbol', 'AAPL'],
      { env: moto.env, cwd },
    );
    assert.equal(code, 0, stderr);
    assert.match(stderr, /stock_data_raw_monthly: partition projection widened from 2019-03 to 2015-01/);
    // The dated table already starts before yesterday (the file's other records would go there).
    assert.deepEqual(await ranges(), ['2026-11-20,NOW+1DAYS', '2015-01,NOW']);
  });

  it('never narrows, and leaves a missing table to setup', async () => {
    assert.deepEqual(
      await widenProjection(await deps(), new Map([[RAW_BY_MONTH, '2020-01']])),
      [],
      'a later start than the table’s is no widening',
    );
    assert.deepEqual(await coverStoredRecords({ ...(await deps()), database: 'nothing_here' }), []);
  });
});
