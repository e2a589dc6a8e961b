import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../../src/errors.ts';
import { resolveSettings } from '../../../src/settings/resolve.ts';
import { parsePipelineName, parseRegion } from '../../../src/settings/validate.ts';

describe('settings', () => {
  it('accepts exactly the names of the rule', () => {
    const valid = /^[a-z][a-z0-9-]{2,23}$/;
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (name) => {
        const expected = valid.test(name) && !name.endsWith('-') && !name.includes('--');
        let accepted = true;
        try {
          parsePipelineName(name);
        } catch {
          accepted = false;
        }
        assert.equal(accepted, expected, name);
      }),
    );
    for (const good of ['abc', 'stockpipe', 'demo-2', 'a'.repeat(24)]) assert.equal(parsePipelineName(good), good);
    for (const bad of ['ab', 'Abc', '1abc', 'a'.repeat(25), 'has_underscore', 'end-', 'dou--ble']) {
      assert.throws(() => parsePipelineName(bad));
    }
  });

  it('accepts real region codes and refuses others', () => {
    for (const region of ['us-east-1', 'eu-central-2', 'ap-southeast-4', 'us-gov-west-1', 'cn-north-1']) {
      assert.equal(parseRegion(region), region);
    }
    for (const region of ['useast1', 'US-EAST-1', 'us-east', 'mars']) assert.throws(() => parseRegion(region));
  });

  it('prefers STOCKPIPE_REGION over AWS_REGION over AWS_DEFAULT_REGION', () => {
    const resolve = (env: Record<string, string>) =>
      resolveSettings({ flags: {}, env, cwd: '/nonexistent' }).settings.region;
    assert.equal(resolve({ AWS_DEFAULT_REGION: 'us-west-1' }).value, 'us-west-1');
    assert.equal(resolve({ AWS_DEFAULT_REGION: 'us-west-1', AWS_REGION: 'us-west-2' }).origin, 'AWS_REGION');
    assert.equal(resolve({ AWS_REGION: 'us-west-2', STOCKPIPE_REGION: 'eu-west-3' }).value, 'eu-west-3');
  });

  it('collects every problem before failing', () => {
    assert.throws(
      () => resolveSettings({ flags: { name: 'X', target: 'cloud' }, env: {}, cwd: '/nonexistent' }),
      (error: unknown) => error instanceof UsageError && error.message.split('\n').length === 2,
    );
  });
});
