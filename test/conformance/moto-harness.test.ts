import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { MOTO_ACCOUNT, type Moto, motoSkipReason, startMoto } from '../helpers/moto.ts';

// Guards the conformance harness: moto starts on loopback and answers the SDK.
describe('moto harness', { skip: motoSkipReason() }, () => {
  let moto: Moto;
  before(async () => {
    moto = await startMoto();
  });
  after(async () => {
    await moto.stop();
  });

  it('answers STS through the client factory with its fixed account', async () => {
    const clients = moto.clients();
    const identity = await (await clients.get('sts')).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Account, MOTO_ACCOUNT);
    await clients.destroy();
  });
});
