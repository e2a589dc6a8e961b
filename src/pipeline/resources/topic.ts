/** The alerts SNS topic and its e-mail subscriptions. */
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  paginateListSubscriptionsByTopic,
  type SNSClient,
  SubscribeCommand,
  type Subscription,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { arns } from '../arns.ts';
import { allItems, tagList, unlessNotFound } from '../aws-helpers.ts';
import type { NodeId } from '../node-ids.ts';
import {
  type Change,
  missing,
  type Note,
  type Observation,
  type ResourceContext,
  type ResourceNode,
} from '../types.ts';

export const PENDING_CONFIRMATION = 'PendingConfirmation';

/**
 * `legacy`: topics earlier versions created beside this one and nothing uses any more. Setup
 * leaves them alone; status and cleanup (no spec) still see them, and cleanup deletes them.
 */
export function topicNode(id: NodeId, kind: string, name: string, legacy: readonly string[] = []): ResourceNode {
  const exists = async (sns: SNSClient, TopicArn: string) =>
    (await unlessNotFound(() => sns.send(new GetTopicAttributesCommand({ TopicArn })), undefined)) !== undefined;
  const leftovers = async (ctx: ResourceContext, sns: SNSClient) => {
    const found: string[] = [];
    for (const old of legacy) if (await exists(sns, arns.topic(ctx, old))) found.push(old);
    return found;
  };
  return {
    id,
    kind,
    name,
    dependsOn: [],
    async describe(ctx): Promise<Observation> {
      const sns = await ctx.clients.get('sns');
      const TopicArn = arns.topic(ctx, name);
      const found = await exists(sns, TopicArn);
      const left = ctx.spec ? [] : await leftovers(ctx, sns);
      const notes = left.map((old): Note => ({ note: 'leftover', name: old }));
      if (found) return { presence: 'present', arn: TopicArn, changes: [], notes };
      // Only a leftover: cleanup must still see something to delete.
      return left.length > 0 ? { presence: 'degraded', changes: [], notes } : missing();
    },
    async ensure(ctx, observed) {
      if (observed.presence !== 'missing') return { action: 'unchanged', arn: arns.topic(ctx, name) };
      const sns = await ctx.clients.get('sns');
      const created = await sns.send(new CreateTopicCommand({ Name: name, Tags: tagList(ctx.tags) }));
      return { action: 'created', arn: created.TopicArn ?? arns.topic(ctx, name) };
    },
    async destroy(ctx) {
      const sns = await ctx.clients.get('sns');
      const targets = [...((await exists(sns, arns.topic(ctx, name))) ? [name] : []), ...(await leftovers(ctx, sns))];
      // Deleting a topic removes its subscriptions, pending ones included.
      for (const target of targets) await sns.send(new DeleteTopicCommand({ TopicArn: arns.topic(ctx, target) }));
      return targets.length > 0 ? 'deleted' : 'absent';
    },
  };
}

export function listSubscriptions(sns: SNSClient, TopicArn: string): Promise<Subscription[] | undefined> {
  return allItems(paginateListSubscriptionsByTopic({ client: sns }, { TopicArn }), (page) => page.Subscriptions);
}

/**
 * The e-mail subscriptions of the alerts topic. Setup adds the addresses given with --email and
 * never removes one (a person may have confirmed it); status reports which are still pending.
 */
export function emailSubscriptionsNode(topicId: NodeId, topicName: string): ResourceNode {
  return {
    id: 'alert-subscriptions',
    kind: 'E-mail subscriptions',
    name: `${topicName} (email)`,
    dependsOn: [topicId],
    async describe(ctx): Promise<Observation> {
      const sns = await ctx.clients.get('sns');
      const subscriptions = await listSubscriptions(sns, arns.topic(ctx, topicName));
      if (!subscriptions) return missing();
      const emails = subscriptions.filter((subscription) => subscription.Protocol === 'email');
      const have = new Set(emails.map((subscription) => subscription.Endpoint?.toLowerCase()));
      const wanted = ctx.spec?.emails ?? [];
      const changes = wanted
        .filter((email) => !have.has(email.toLowerCase()))
        .map((email): Change => ({ action: 'subscribe', email }));
      const notes = emails.map(
        (subscription): Note => ({
          note: 'subscription',
          email: subscription.Endpoint,
          confirmed: subscription.SubscriptionArn !== PENDING_CONFIRMATION,
        }),
      );
      return { presence: 'present', changes, notes };
    },
    async ensure(ctx, observed) {
      const sns = await ctx.clients.get('sns');
      const TopicArn = arns.topic(ctx, topicName);
      const toAdd =
        observed.presence === 'missing'
          ? (ctx.spec?.emails ?? [])
          : observed.changes.flatMap((change) =>
              'action' in change && change.action === 'subscribe' ? [change.email] : [],
            );
      for (const email of toAdd) {
        await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: email }));
      }
      return { action: observed.presence === 'missing' ? 'created' : toAdd.length > 0 ? 'updated' : 'unchanged' };
    },
    async destroy(ctx) {
      const sns = await ctx.clients.get('sns');
      const subscriptions = await listSubscriptions(sns, arns.topic(ctx, topicName));
      if (!subscriptions) return 'absent';
      let removed = 0;
      for (const subscription of subscriptions) {
        // Pending subscriptions cannot be unsubscribed; they go with the topic.
        if (!subscription.SubscriptionArn?.startsWith('arn:')) continue;
        await unlessNotFound(
          () => sns.send(new UnsubscribeCommand({ SubscriptionArn: subscription.SubscriptionArn })),
          undefined,
        );
        removed++;
      }
      return removed > 0 ? 'deleted' : 'absent';
    },
  };
}
