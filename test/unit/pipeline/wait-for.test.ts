/** An SDK waiter retries on any error it does not expect: waitFor ends it at once on AccessDenied. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessDeniedException, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { waitFor } from '../../../src/pipeline/aws-helpers.ts';
import { createResourceContext } from '../../../src/pipeline/run.ts';

const identity = { account: '111122223333', region: 'eu-west-1', partition: 'aws', arn: '' };
// A whole minute of waiting allowed: only an early end can make the test fast.
const ctx = createResourceContext({
  clients: { get: async () => assert.fail('no clients') },
  name: 'demo',
  identity,
  timing: { waiter: { minDelay: 1, maxDelay: 1, maxWaitTime: 60 } },
});

const meta = { $metadata: { httpStatusCode: 400 } };

describe('waitFor', () => {
  it('ends the wait at the first AccessDenied, with that error', async () => {
    let polls = 0;
    const kinesis = {
      send: async () => {
        polls++;
        throw new AccessDeniedException({
          message: 'User is not authorized to perform: kinesis:DescribeStream',
          ...meta,
        });
      },
    };
    const started = performance.now();
    await assert.rejects(
      waitFor(ctx, kinesis as never, waitUntilStreamExists, { StreamName: 'demo-stream' }),
      (error: Error) => error.name === 'AccessDeniedException' && /kinesis:DescribeStream/.test(error.message),
    );
    assert.equal(polls, 1);
    assert.ok(performance.now() - started < 5000, 'not waited out');
  });

  it('keeps waiting through what the waiter expects, and returns once the resource is there', async () => {
    const statuses = ['CREATING', 'ACTIVE'];
    const kinesis = {
      send: async () => ({ StreamDescription: { StreamStatus: statuses.shift() } }),
    };
    await waitFor(ctx, kinesis as never, waitUntilStreamExists, { StreamName: 'demo-stream' });
    assert.deepEqual(statuses, []);
  });
});
