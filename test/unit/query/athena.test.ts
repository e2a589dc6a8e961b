import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { AthenaQueryRunner } from '../../../src/query/athena.ts';
import { columnKind, typedValue } from '../../../src/query/athena-types.ts';
import { queryCostUsd } from '../../../src/query/runner.ts';

describe('Athena result typing', () => {
  it('maps Athena types to kinds and strings to typed values', () => {
    assert.equal(columnKind('decimal(10,2)'), 'number');
    assert.equal(columnKind('bigint'), 'number');
    assert.equal(columnKind('boolean'), 'boolean');
    assert.equal(columnKind('array<integer>'), 'string');
    assert.equal(columnKind(undefined), 'string');
    assert.equal(typedValue('12.5', 'number'), 12.5);
    assert.equal(typedValue('9007199254740993', 'number'), '9007199254740993', 'no silent precision loss');
    assert.equal(typedValue(undefined, 'number'), null);
    assert.equal(typedValue('true', 'boolean'), true);
    assert.equal(typedValue('007', 'string'), '007');
  });

  it('prices at $5/TB with the 10 MB minimum', () => {
    assert.equal(queryCostUsd(0), 0);
    assert.equal(queryCostUsd(2 ** 40), 5);
    assert.equal(queryCostUsd(1), queryCostUsd(10 * 2 ** 20));
  });
});

describe('AthenaQueryRunner', () => {
  it('polls with growing delays and keeps the first row of a DDL result', async () => {
    const athena = mockClient(AthenaClient);
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({
        QueryExecution: { StatementType: 'DDL', Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 0 } },
      });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'tab_name', Type: 'string' }] },
        Rows: [{ Data: [{ VarCharValue: 'tab_name' }] }, { Data: [{ VarCharValue: 'stock_data_table' }] }],
      },
    });
    const runner = new AthenaQueryRunner(new AthenaClient({ region: 'us-east-1' }), {
      workgroup: 'wg',
      database: 'db',
      pollMs: 1,
      maxPollMs: 2,
    });
    const result = await runner.run('SHOW TABLES', {});
    assert.deepEqual(result.rows, [['tab_name'], ['stock_data_table']], 'DDL output has no header row to drop');
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    assert.deepEqual(start, { QueryString: 'SHOW TABLES', WorkGroup: 'wg', QueryExecutionContext: { Database: 'db' } });
    assert.equal(athena.commandCalls(GetQueryExecutionCommand).length, 3);
    athena.restore();
  });
});
