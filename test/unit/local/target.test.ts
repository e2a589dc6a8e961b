import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ServiceName } from '../../../src/aws/clients.ts';
import { StockpipeError } from '../../../src/errors.ts';
import { LOCAL_SERVICES, localTargetClients } from '../../../src/local/target.ts';

describe('local target clients', () => {
  it('refuse every AWS-only service with what stands in for it, starting nothing', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'stockpipe-target-'));
    const clients = localTargetClients(cwd);
    const awsOnly: ServiceName[] = ['iam', 'lambda', 'sns', 'glue', 'athena', 'logs', 'cloudwatch', 'sts'];
    for (const service of awsOnly) {
      await assert.rejects(clients.get(service), (error: Error) => {
        assert.ok(error instanceof StockpipeError);
        assert.match(error.message, new RegExp(`^${service} does not exist in the local target; it is replaced by`));
        return true;
      });
    }
    assert.deepEqual([...LOCAL_SERVICES].sort(), ['dynamodb', 'kinesis', 's3']);
    assert.equal(existsSync(join(cwd, '.stockpipe')), false, 'no stack was started');
  });
});
