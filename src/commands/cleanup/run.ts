/** stockpipe cleanup: delete every resource of the pipeline in reverse order, then prove nothing is left. */
import { CancelledError, StockpipeError, UsageError } from '../../errors.ts';
import {
  createResourceContext,
  type Described,
  describePipeline,
  describeRemaining,
  destroyPipeline,
  failureLine,
  placeOf,
} from '../../pipeline/run.ts';
import { removeStateFile } from '../../pipeline/state-file.ts';
import { withProgress } from '../../ui/progress.ts';
import { inquirerPrompter } from '../../ui/prompt.ts';
import { note, type PipelineCommandDeps } from '../pipeline-deps.ts';
import { suggest } from '../shared/pipeline-flags.ts';

export interface CleanupOptions {
  dryRun: boolean;
}

/** Checked before any AWS call: without a person to ask, deleting needs --yes. */
export function checkCleanupConfirmation(options: CleanupOptions, io: PipelineCommandDeps['io']): void {
  if (!options.dryRun && !io.yes && !io.canPrompt) {
    throw new UsageError(
      'cleanup deletes every resource of the pipeline: pass --yes to confirm (or --dry-run to list them)',
    );
  }
}

const present = (entry: Described) => entry.error !== undefined || entry.observation?.presence !== 'missing';

export async function runCleanup(options: CleanupOptions, deps: PipelineCommandDeps): Promise<number> {
  const { io, name } = deps;
  checkCleanupConfirmation(options, io);
  const identity = await deps.pipeline.identity();
  const ctx = createResourceContext({
    clients: deps.clients,
    name,
    identity,
    ...(deps.timing ? { timing: deps.timing } : {}),
  });
  const nodes = deps.pipeline.graph(ctx);
  const found = (await describePipeline(nodes, ctx)).filter(present);
  const where = placeOf(identity);

  if (found.length === 0) {
    await removeStateFile(deps.cwd, name);
    if (io.json)
      io.outJson({
        pipeline: name,
        account: identity.account,
        region: identity.region,
        nothingToDo: true,
        deleted: [],
      });
    else io.out(`Nothing to clean up: no resource of pipeline ${name} exists in ${where}.`);
    return 0;
  }

  if (options.dryRun) {
    const list = found.map((entry) => ({ id: entry.id, kind: entry.kind, name: entry.name }));
    if (io.json)
      io.outJson({
        pipeline: name,
        account: identity.account,
        region: identity.region,
        dryRun: true,
        wouldDelete: list,
      });
    else {
      for (const entry of list) io.out(`delete    ${entry.kind.padEnd(26)} ${entry.name}`);
      io.out(`${list.length} resources would be deleted from ${where}. Nothing was changed (dry run).`);
    }
    return 0;
  }

  if (!io.yes) {
    io.err(
      `This deletes ${found.length} resources of pipeline ${name} from ${where}, including the data in its buckets and tables:`,
    );
    for (const entry of found) io.err(`  ${entry.kind} ${entry.name}`);
    const prompter = deps.prompter ?? inquirerPrompter(io, deps.signal);
    const answer = await prompter.input(`Type the pipeline name (${name}) to confirm:`);
    if (answer.trim() !== name)
      throw new CancelledError(`Cancelled — '${answer.trim()}' is not ${name}: nothing was deleted`);
  }

  note(io, `Deleting pipeline ${name} from ${where}…`);
  const summary = await withProgress(io, (emit) => destroyPipeline(nodes, ctx, emit, deps.signal));

  if (deps.signal?.aborted) {
    throw new CancelledError(
      `Cancelled — cleanup stopped part-way (what had started has finished): run \`${suggest(deps, 'cleanup')}\` again to finish.`,
    );
  }
  // The promise is "every trace": check by describing each resource again.
  const remaining = await describeRemaining(nodes, ctx);
  const deleted = summary.outcomes.filter((outcome) => outcome.state === 'deleted');
  if (summary.failed.length === 0 && remaining.length === 0) await removeStateFile(deps.cwd, name);
  if (io.json) {
    io.outJson({
      pipeline: name,
      account: identity.account,
      region: identity.region,
      ok: summary.failed.length === 0 && remaining.length === 0,
      deleted: deleted.map((outcome) => ({ id: outcome.id, kind: outcome.kind, name: outcome.name })),
      failed: summary.failed.map((outcome) => ({ id: outcome.id, name: outcome.name, error: outcome.detail })),
      remaining: remaining.map((entry) => ({ id: entry.id, kind: entry.kind, name: entry.name })),
    });
  }
  if (summary.failed.length > 0 || remaining.length > 0) {
    const failed = summary.failed.map(failureLine);
    const left = remaining.map((entry) => `${entry.kind} ${entry.name}`);
    throw new StockpipeError(
      `cleanup incomplete — ${[...failed, ...(left.length ? [`still present: ${left.join(', ')}`] : [])].join('; ')}. Run \`${suggest(deps, 'cleanup')}\` again: it resumes where it stopped.`,
    );
  }
  if (!io.json)
    io.out(`Pipeline ${name} removed: ${deleted.length} resources deleted, nothing with its name remains in ${where}.`);
  return 0;
}
