import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pipelineFlags } from '../../../src/commands/shared/pipeline-flags.ts';
import { awsTarget } from '../../../src/targets/aws.ts';
import { localTarget } from '../../../src/targets/local.ts';

describe('pipelineFlags', () => {
  const aws = awsTarget({ name: 'stockpipe', target: 'aws', region: undefined, profile: undefined }, {});
  const local = localTarget('/nonexistent');
  it('adds only what differs from the defaults, so a suggested command reaches the same pipeline', () => {
    assert.equal(pipelineFlags({ name: 'stockpipe' }), '');
    assert.equal(pipelineFlags({ name: 'stockpipe', targetFlags: aws.flags }), '');
    assert.equal(pipelineFlags({ name: 'markets' }), ' --name markets');
    assert.equal(pipelineFlags({ name: 'stockpipe', targetFlags: local.flags }), ' --target local');
    assert.equal(pipelineFlags({ name: 'markets', targetFlags: local.flags }), ' --name markets --target local');
  });
});
