import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retry } from '../../../src/core/retry.ts';

const backoff = { baseMs: 10, capMs: 40, jitter: false };

function recorder() {
  const slept: number[] = [];
  return { slept, sleep: async (ms: number) => void slept.push(ms) };
}

describe('retry', () => {
  it('retries an error `retryable` accepts, doubling the wait up to the cap, and returns the first success', async () => {
    const { slept, sleep } = recorder();
    let calls = 0;
    const value = await retry(
      async () => {
        calls++;
        if (calls < 5) throw new Error('busy');
        return 'ok';
      },
      { attempts: 5, backoff, retryable: (error) => (error as Error).message === 'busy', sleep },
    );
    assert.equal(value, 'ok');
    assert.deepEqual(slept, [10, 20, 40, 40]);
  });

  it('throws at once an error `retryable` refuses (default: every error)', async () => {
    const { slept, sleep } = recorder();
    await assert.rejects(
      retry(
        async () => {
          throw new Error('bad');
        },
        { attempts: 5, backoff, sleep },
      ),
      /bad/,
    );
    assert.deepEqual(slept, []);
  });

  it('throws the last error once the attempts are spent', async () => {
    const { slept, sleep } = recorder();
    let calls = 0;
    await assert.rejects(
      retry(
        async () => {
          calls++;
          throw new Error(`try ${calls}`);
        },
        { attempts: 3, backoff, retryable: () => true, sleep },
      ),
      /try 3/,
    );
    assert.deepEqual(slept, [10, 20]);
  });

  it('tries again while `done` rejects the result, and returns the last one when the attempts are spent', async () => {
    const { sleep } = recorder();
    let left = 5;
    const seen: number[] = [];
    const result = await retry(async () => --left, {
      attempts: 3,
      backoff,
      done: (n) => n === 0,
      onRetry: (retrying) => {
        if ('result' in retrying) seen.push(retrying.result);
      },
      sleep,
    });
    assert.equal(result, 2, 'the unfinished result, for the caller to judge');
    assert.deepEqual(seen, [4, 3]);
  });

  it('stops before a wait that would pass the budget, or that mayWait refuses', async () => {
    const budget = recorder();
    await assert.rejects(
      retry(
        async () => {
          throw new Error('busy');
        },
        { attempts: Number.POSITIVE_INFINITY, backoff, budgetMs: 35, retryable: () => true, sleep: budget.sleep },
      ),
    );
    assert.deepEqual(budget.slept, [10, 20]);

    const asked: number[] = [];
    const refused = recorder();
    const result = await retry(async () => false, {
      attempts: 10,
      backoff,
      done: (finished) => finished,
      mayWait: (delayMs) => {
        asked.push(delayMs);
        return delayMs < 20;
      },
      sleep: refused.sleep,
    });
    assert.equal(result, false);
    assert.deepEqual(refused.slept, [10]);
    assert.deepEqual(asked, [10, 20]);
  });

  it('jitters between the floor and the ceiling', async () => {
    const { slept, sleep } = recorder();
    await retry(async (attempt) => attempt, {
      attempts: 3,
      backoff: { baseMs: 100, capMs: 1000, floorMs: 50 },
      done: () => false,
      random: () => 0.5,
      sleep,
    });
    assert.deepEqual(slept, [75, 125]);
  });

  it('an abort ends the wait with the signal’s reason and makes no further call', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = retry(
      async () => {
        calls++;
        return false;
      },
      { attempts: 10, backoff: { baseMs: 60_000, capMs: 60_000 }, done: (v) => v, signal: controller.signal },
    );
    controller.abort(new Error('stopped'));
    await assert.rejects(pending, /stopped/);
    assert.equal(calls, 1);

    const resolvingSleep = async () => {};
    await assert.rejects(
      retry(async () => false, {
        attempts: 2,
        backoff,
        done: (v) => v,
        signal: controller.signal,
        sleep: resolvingSleep,
      }),
      /stopped/,
      'an already aborted signal: no call at all',
    );
  });
});
