/** The real dependencies of redrive: the raw bucket through S3, the stream through Kinesis. */
import type { AwsClients } from '../../aws/clients.ts';
import { bucketNames, pipelineNames } from '../../core/names.ts';
import { listKept, moveAside, readKept } from '../../pipeline/kept-records.ts';
import { callerIdentity } from '../../pipeline/run.ts';
import type { Target } from '../../settings/validate.ts';
import type { IO } from '../../ui/io.ts';
import { kinesisPutter } from './kinesis-putter.ts';
import type { RedriveDeps } from './run.ts';

export function redriveDeps(input: { io: IO; name: string; target: Target; clients: AwsClients }): RedriveDeps {
  const { io, name, target, clients } = input;
  const stream = pipelineNames(name).stream;
  return {
    io,
    pipeline: name,
    target,
    stream,
    bucket: async () => {
      const { localIdentity } = await import('../../local/graph.ts');
      const identity = target === 'local' ? localIdentity() : await callerIdentity(clients);
      return bucketNames(name, identity.account, identity.region).raw;
    },
    store: async (bucket) => {
      const s3 = await clients.get('s3');
      return {
        list: (source, since) => listKept(s3, bucket, source, since),
        read: (source, key) => readKept(s3, bucket, source, key),
        moveAside: (key) => moveAside(s3, bucket, key),
      };
    },
    putter: async () => kinesisPutter(await clients.get('kinesis'), stream),
  };
}
