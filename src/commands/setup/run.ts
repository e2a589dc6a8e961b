/** stockpipe setup: converge the pipeline on AWS to the spec, creating or updating only what differs. */
import { describeStrategy, isFileStrategy } from '../../core/strategies/index.ts';
import { CancelledError, NOTHING_CHANGED, StockpipeError, UsageError } from '../../errors.ts';
import { arns } from '../../pipeline/arns.ts';
import { unlessNotFound } from '../../pipeline/aws-helpers.ts';
import {
  applyPipeline,
  createResourceContext,
  describePipeline,
  failureLine,
  type PlanEntry,
  placeOf,
  planFrom,
} from '../../pipeline/run.ts';
import { writeStateFile } from '../../pipeline/state-file.ts';
import type { DesiredSettings, ResourceContext, ResourceNode } from '../../pipeline/types.ts';
import { withProgress } from '../../ui/progress.ts';
import { inquirerPrompter } from '../../ui/prompt.ts';
import { note, type PipelineCommandDeps } from '../pipeline-deps.ts';
import { suggest } from '../shared/pipeline-flags.ts';
import { isEmail, parseSetupFlags, type SetupOptions, settingChanges } from './options.ts';

export async function runSetup(options: SetupOptions, deps: PipelineCommandDeps): Promise<number> {
  const { io, name } = deps;
  const identity = await deps.pipeline.identity();
  note(
    io,
    `${options.dryRun ? 'Planning changes to' : 'About to change'} ${placeOf(identity, io.errStyle.bold)} (pipeline ${io.errStyle.bold(name)}).`,
  );
  const contextWith = (spec: DesiredSettings) =>
    createResourceContext({
      clients: deps.clients,
      name,
      identity,
      spec,
      ...(deps.code ? { code: deps.code } : {}),
      ...(deps.timing ? { timing: deps.timing } : {}),
    });
  // Options left out keep what is deployed: a plain `setup` never switches a strategy back.
  const deployed = await deps.pipeline.deployedSettings(contextWith(options.spec));
  const spec = { ...(deployed ? parseSetupFlags(options.flags, deployed, options.strategyFile).spec : options.spec) };
  const changes = deployed ? settingChanges(deployed, spec) : [];
  const ctx = contextWith(spec);
  const nodes = deps.pipeline.graph(ctx);
  // Only a target with e-mail subscriptions (AWS, not local) asks for an address.
  const hasEmail = nodes.some((node) => node.id === 'alert-subscriptions');
  if (hasEmail && !options.emailsGiven && !options.dryRun && io.canPrompt && !(await hasSubscriptions(ctx))) {
    const prompter = deps.prompter ?? inquirerPrompter(io, deps.signal);
    const answer = await prompter.input('E-mail address for BUY/SELL alerts (empty for none):', (value) =>
      value.trim() === '' || isEmail(value.trim()) ? true : 'enter an e-mail address such as you@example.com',
    );
    if (answer.trim()) spec.emails = [answer.trim()];
  }

  if (options.dryRun) {
    const plan = planFrom(await describePipeline(nodes, ctx));
    printPlan(deps, identity, plan, changes, spec);
    return 0;
  }
  await confirmBillable(deps, nodes, ctx);
  if (isFileStrategy(spec.strategy))
    note(io, `Strategy ${describeStrategy(spec.strategy)} from ${spec.strategy.file}.`);
  for (const change of changes) note(io, `Changing ${change}`);

  const started = performance.now();
  const summary = await withProgress(io, (emit) => applyPipeline(nodes, ctx, emit, deps.signal));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const resources = summary.outcomes.map((outcome) => ({
    id: outcome.id,
    kind: outcome.kind,
    name: outcome.name,
    state: outcome.state,
    arn: outcome.arn ?? null,
    ...(outcome.detail ? { detail: outcome.detail } : {}),
  }));
  const upToDate = summary.outcomes.every((outcome) => outcome.state === 'unchanged');
  const ok = summary.failed.length === 0;

  const statePath = await writeStateFile(deps.cwd, name, {
    name,
    account: identity.account,
    region: identity.region,
    updatedAt: new Date().toISOString(),
    complete: ok,
    settings: spec,
    resources: Object.fromEntries(summary.outcomes.map((outcome) => [outcome.id, outcome.arn ?? null])),
  });

  if (io.json) {
    io.outJson({
      pipeline: name,
      account: identity.account,
      region: identity.region,
      ok,
      upToDate,
      resources,
      stateFile: statePath,
    });
  }
  if (deps.signal?.aborted) {
    throw new CancelledError(
      `Cancelled — setup stopped part-way (what had started has finished): run \`${suggest(deps, 'setup')}\` again to complete the pipeline, or \`${suggest(deps, 'cleanup')}\` to remove it.`,
    );
  }
  if (!ok) {
    const failed = summary.failed.map(failureLine).join('; ');
    const skipped = summary.outcomes.filter((outcome) => outcome.state === 'skipped').length;
    throw new StockpipeError(
      `setup failed — ${failed}${skipped ? ` (${skipped} dependent resources not attempted)` : ''}. Fix the cause and run \`${suggest(deps, 'setup')}\` again to resume, or \`${suggest(deps, 'cleanup')}\` to remove what was created.`,
    );
  }
  if (!io.json) {
    if (upToDate) {
      io.out(`Pipeline ${name} is up to date: ${resources.length} resources, nothing to change.`);
    } else {
      const count = (state: string) => summary.outcomes.filter((outcome) => outcome.state === state).length;
      io.out(
        `Pipeline ${name} is ready in ${seconds}s: ${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged.`,
      );
    }
    if (spec.emails.length > 0 && !upToDate) {
      io.out(`Confirm the subscription e-mail sent to ${spec.emails.join(', ')} to receive alerts.`);
    }
    io.out(
      `Next: \`${suggest(deps, deps.pipeline.feedCommand)}\` to feed it, \`${suggest(deps, 'status')}\` to check it.`,
    );
  }
  return 0;
}

async function hasSubscriptions(ctx: ResourceContext): Promise<boolean> {
  const { ListSubscriptionsByTopicCommand } = await import('@aws-sdk/client-sns');
  const sns = await ctx.clients.get('sns');
  const page = await unlessNotFound(
    () => sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arns.topic(ctx, ctx.names.alertsTopic) })),
    undefined,
  );
  return (page?.Subscriptions ?? []).length > 0;
}

/**
 * Money is not spent without a question: when setup would create resources that cost something
 * while idle (the on-demand stream, the alarms), it lists them with the monthly total and asks;
 * --yes answers for scripts, and without a terminal it needs --yes, as cleanup does.
 */
async function confirmBillable(deps: PipelineCommandDeps, nodes: ResourceNode[], ctx: ResourceContext): Promise<void> {
  const { io } = deps;
  const billable = nodes.filter((node) => (node.idleMonthlyUsd ?? 0) > 0);
  if (io.yes || billable.length === 0) return;
  const described = await describePipeline(billable, ctx);
  const created = billable.filter((node) =>
    described.some((entry) => entry.id === node.id && !entry.error && entry.observation?.presence === 'missing'),
  );
  if (created.length === 0) return;
  const total = created.reduce((sum, node) => sum + (node.idleMonthlyUsd ?? 0), 0);
  const cost = `about $${total.toFixed(2)} a month while idle, plus what the data costs`;
  if (!io.canPrompt) {
    throw new UsageError(
      `setup creates resources that cost money (${cost}): pass --yes to confirm (or --dry-run to see the plan)`,
    );
  }
  io.err(`This creates resources billed to account ${ctx.account} in ${ctx.region} — ${cost}:`);
  for (const node of created) io.err(`  ${node.kind} ${node.name}  $${(node.idleMonthlyUsd ?? 0).toFixed(2)}/month`);
  const prompter = deps.prompter ?? inquirerPrompter(io, deps.signal);
  const answer = await prompter.input('Create them? (yes/no)');
  if (!/^y(es)?$/i.test(answer.trim())) throw new CancelledError(NOTHING_CHANGED);
}

function printPlan(
  deps: PipelineCommandDeps,
  identity: { account: string; region: string },
  plan: PlanEntry[],
  settings: string[],
  spec: DesiredSettings,
): void {
  const { io, name } = deps;
  const count = (action: string) => plan.filter((entry) => entry.action === action).length;
  const strategy = isFileStrategy(spec.strategy)
    ? { name: spec.strategy.name, bundle: spec.strategy.bundle }
    : undefined;
  if (io.json) {
    io.outJson({
      pipeline: name,
      account: identity.account,
      region: identity.region,
      dryRun: true,
      settings,
      ...(strategy ? { strategy } : {}),
      plan,
    });
    return;
  }
  // A file's strategy by name and bundle: what the trends zip will carry.
  if (strategy) io.out(`strategy  ${describeStrategy(spec.strategy)}`);
  for (const change of settings) io.out(`setting   ${change}`);
  for (const entry of plan) {
    const colour =
      entry.action === 'create' ? io.style.green : entry.action === 'update' ? io.style.yellow : io.style.dim;
    const detail =
      entry.changes.length > 0 && entry.action === 'update' ? io.style.dim(` (${entry.changes.join(', ')})`) : '';
    io.out(`${colour(entry.action.padEnd(9))} ${entry.kind.padEnd(26)} ${entry.name}${detail}`);
  }
  io.out(
    `Plan: ${count('create')} to create, ${count('update')} to update, ${count('unchanged')} unchanged. Nothing was changed (dry run).`,
  );
}
