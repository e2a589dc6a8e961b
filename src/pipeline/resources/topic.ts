/** SNS topics (alerts, and the mappings' on-failure destination) and the alert e-mail subscriptions. */
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  type SNSClient,
  SubscribeCommand,
  type Subscription,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { arns } from '../arns.ts';
import { tagList, unlessNotFound } from '../aws-helpers.ts';
import { missing, type Observation, type ResourceNode } from '../types.ts';

export const PENDING_CONFIRMATION = 'PendingConfirmation';

export function topicNode(id: string, kind: string, name: string): ResourceNode {
  return {
    id,
    kind,
    name,
    dependsOn: [],
    async describe(ctx): Promise<Observation> {
      const sns = await ctx.clients.get('sns');
      const TopicArn = arns.topic(ctx, name);
      const found = await unlessNotFound(() => sns.send(new GetTopicAttributesCommand({ TopicArn })), undefined);
      return found ? { presence: 'present', arn: TopicArn, changes: [], notes: [] } : missing();
    },
    async ensure(ctx, observed) {
      if (observed.presence !== 'missing') return { action: 'unchanged', arn: arns.topic(ctx, name) };
      const sns = await ctx.clients.get('sns');
      const created = await sns.send(new CreateTopicCommand({ Name: name, Tags: tagList(ctx.tags) }));
      return { action: 'created', arn: created.TopicArn ?? arns.topic(ctx, name) };
    },
    async destroy(ctx) {
      const sns = await ctx.clients.get('sns');
      const TopicArn = arns.topic(ctx, name);
      const found = await unlessNotFound(() => sns.send(new GetTopicAttributesCommand({ TopicArn })), undefined);
      if (!found) return 'absent';
      // Deleting a topic removes its subscriptions, pending ones included.
      await sns.send(new DeleteTopicCommand({ TopicArn }));
      return 'deleted';
    },
  };
}

export async function listSubscriptions(sns: SNSClient, TopicArn: string): Promise<Subscription[] | undefined> {
  const all: Subscription[] = [];
  let NextToken: string | undefined;
  do {
    const page = await unlessNotFound(
      () => sns.send(new ListSubscriptionsByTopicCommand({ TopicArn, NextToken })),
      undefined,
    );
    if (!page) return undefined;
    all.push(...(page.Subscriptions ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

/**
 * The e-mail subscriptions of the alerts topic. Setup adds the addresses given with --email and
 * never removes one (a person may have confirmed it); status reports which are still pending.
 */
export function emailSubscriptionsNode(topicId: string, topicName: string): ResourceNode {
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
      const changes = wanted.filter((email) => !have.has(email.toLowerCase())).map((email) => `subscribe ${email}`);
      const notes = emails.map(
        (subscription) =>
          `${subscription.Endpoint}: ${subscription.SubscriptionArn === PENDING_CONFIRMATION ? 'pending confirmation' : 'confirmed'}`,
      );
      return { presence: 'present', changes, notes };
    },
    async ensure(ctx, observed) {
      const sns = await ctx.clients.get('sns');
      const TopicArn = arns.topic(ctx, topicName);
      const toAdd =
        observed.presence === 'missing' ? (ctx.spec?.emails ?? []) : observed.changes.map((c) => c.slice(10));
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
