/** The real dependencies of redrive: the raw bucket through S3, the stream through Kinesis. */
import { bucketNames, pipelineNames } from '../../core/names.ts';
import { claimKept, finishRedrive, listKept, markSent, readKept, releaseClaim } from '../../pipeline/kept-records.ts';
import type { CommandContext } from '../command.ts';
import { pipelineAddress } from '../shared/pipeline-flags.ts';
import { kinesisPutter } from './kinesis-putter.ts';
import type { RedriveDeps } from './run.ts';

export function redriveDeps(context: CommandContext): RedriveDeps {
  const { io, settings, target } = context;
  const { clients } = target;
  const stream = pipelineNames(settings.name).stream;
  return {
    io,
    pipeline: pipelineAddress(context),
    stream,
    bucket: async () => {
      const identity = await (await target.pipeline()).identity();
      return bucketNames(settings.name, identity.account, identity.region).raw;
    },
    store: async (bucket) => {
      const s3 = await clients.get('s3');
      return {
        list: (source, since) => listKept(s3, bucket, source, since),
        read: (source, key) => readKept(s3, bucket, source, key),
        claim: (key) => claimKept(s3, bucket, key, Date.now()),
        markSent: (key) => markSent(s3, bucket, key, Date.now()),
        finish: (key) => finishRedrive(s3, bucket, key),
        release: (key) => releaseClaim(s3, bucket, key),
      };
    },
    putter: async () => kinesisPutter(await clients.get('kinesis'), stream),
  };
}
