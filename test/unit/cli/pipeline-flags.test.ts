import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pipelineAddress, pipelineFlags, shellWord, suggest } from '../../../src/commands/shared/pipeline-flags.ts';
import { resolveSettings, settingValues } from '../../../src/settings/resolve.ts';
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

describe('suggest', () => {
  const refOf = (flags: Record<string, string>, env: Record<string, string> = {}) => {
    const { settings: resolved } = resolveSettings({ flags, env, cwd: '/nonexistent' });
    const settings = settingValues(resolved);
    const target = settings.target === 'local' ? localTarget('/nonexistent') : awsTarget(settings, {});
    return pipelineAddress({ settings, resolved, target, invocation: 'npx stockpipe' });
  };

  it('starts as the person runs stockpipe and carries every flag that chose the pipeline', () => {
    assert.equal(suggest(refOf({}), 'status'), 'npx stockpipe status');
    assert.equal(
      suggest(refOf({ name: 'markets', region: 'eu-west-1', profile: 'prod' }), 'setup'),
      'npx stockpipe setup --name markets --region eu-west-1 --profile prod',
    );
    assert.equal(
      suggest(refOf({ name: 'nosuch', target: 'local' }), 'setup'),
      'npx stockpipe setup --name nosuch --target local',
    );
  });

  it('leaves out what the shell it is pasted into still has (the environment), and region offline', () => {
    assert.equal(
      suggest(refOf({}, { AWS_REGION: 'eu-west-1', AWS_PROFILE: 'prod' }), 'status'),
      'npx stockpipe status',
    );
    assert.equal(
      suggest(refOf({ target: 'local', region: 'eu-west-1' }), 'status'),
      'npx stockpipe status --target local',
    );
  });

  it('quotes a value a shell would read otherwise', () => {
    assert.equal(shellWord('prod'), 'prod');
    assert.equal(shellWord("it's$HOME"), `'it'\\''s$HOME'`);
  });
});
