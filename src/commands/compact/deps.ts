/** compact's dependencies on each target: where the lake is, and the engine that rewrites it. */
import { existsSync } from 'node:fs';
import { bucketNames, pipelineNames } from '../../core/names.ts';
import { StockpipeError } from '../../errors.ts';
import type { CommandContext } from '../command.ts';
import type { CompactOptions } from './options.ts';
import type { CompactionLake } from './run.ts';

export async function localCompactDeps(context: CommandContext): Promise<{ lake: CompactionLake; lockFile: string }> {
  const { cwd, settings, target } = context;
  const { localCompactionLake, localCompactLock, localLakeWriter, localRawBucketDir } = await import('./local.ts');
  const bucketDir = localRawBucketDir(cwd, settings.name);
  if (!existsSync(bucketDir)) {
    throw new StockpipeError(
      'the lake bucket does not exist in the local target: run `stockpipe setup --target local` first',
    );
  }
  const writer = await localLakeWriter(target.clients, settings.name);
  return { lake: localCompactionLake({ bucketDir, writer }), lockFile: localCompactLock(cwd, settings.name) };
}

/**
 * On AWS the raw tables must project every stored partition before Athena reads them: a partition
 * outside the projection would be read as empty, and its objects deleted. So the widening `query`
 * only tries is required here (glue:UpdateTable), except for a dry run, which deletes nothing.
 */
export async function awsCompactDeps(context: CommandContext, options: CompactOptions): Promise<CompactionLake> {
  const { io, settings, target } = context;
  const { awsCompactionLake } = await import('./aws.ts');
  const identity = await (await target.pipeline()).identity();
  if (!options.dryRun) {
    for (const line of (await target.coverLake?.(settings.name)) ?? []) io.err(line);
  }
  return awsCompactionLake({
    s3: await target.clients.get('s3'),
    bucket: bucketNames(settings.name, identity.account, identity.region).raw,
    names: pipelineNames(settings.name),
    runner: await target.queryRunner(settings.name),
  });
}
