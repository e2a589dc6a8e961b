import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pipelineFlags } from '../../../src/commands/shared/pipeline-flags.ts';

describe('pipelineFlags', () => {
  it('adds only what differs from the defaults, so a suggested command reaches the same pipeline', () => {
    assert.equal(pipelineFlags({ name: 'stockpipe' }), '');
    assert.equal(pipelineFlags({ name: 'stockpipe', target: 'aws' }), '');
    assert.equal(pipelineFlags({ name: 'markets' }), ' --name markets');
    assert.equal(pipelineFlags({ name: 'stockpipe', target: 'local' }), ' --target local');
    assert.equal(pipelineFlags({ name: 'markets', target: 'local' }), ' --name markets --target local');
  });
});
