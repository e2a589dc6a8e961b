/** IAM roles for the functions: Lambda trust policy and one least-privilege inline policy, nothing attached. */
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  waitUntilRoleExists,
} from '@aws-sdk/client-iam';
import { canonicalJson, isNotFound, tagList, unlessNotFound, waitFor } from '../aws-helpers.ts';
import { INLINE_POLICY_NAME, LAMBDA_TRUST_POLICY, type PolicyDocument } from '../policies.ts';
import {
  type Change,
  hasChange,
  missing,
  type Observation,
  type ResourceContext,
  type ResourceNode,
} from '../types.ts';

/** IAM returns policy documents URL-encoded. */
export function decodePolicy(document: string | undefined): unknown {
  if (!document) return undefined;
  return JSON.parse(document.startsWith('%7B') || document.startsWith('%7b') ? decodeURIComponent(document) : document);
}

async function listInline(iam: IAMClient, RoleName: string): Promise<string[]> {
  const names: string[] = [];
  let Marker: string | undefined;
  do {
    const page = await iam.send(new ListRolePoliciesCommand({ RoleName, Marker }));
    names.push(...(page.PolicyNames ?? []));
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return names;
}

async function listAttached(iam: IAMClient, RoleName: string): Promise<string[]> {
  const policies: string[] = [];
  let Marker: string | undefined;
  do {
    const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName, Marker }));
    policies.push(...(page.AttachedPolicies ?? []).flatMap((policy) => (policy.PolicyArn ? [policy.PolicyArn] : [])));
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return policies;
}

export function roleNode(
  id: 'ingest-role' | 'trends-role',
  name: string,
  policy: (ctx: ResourceContext) => PolicyDocument,
): ResourceNode {
  const RoleName = name;
  return {
    id,
    kind: 'IAM role',
    name,
    dependsOn: [],
    async describe(ctx): Promise<Observation> {
      const iam = await ctx.clients.get('iam');
      const role = await unlessNotFound(() => iam.send(new GetRoleCommand({ RoleName })), undefined);
      if (!role?.Role) return missing();
      const arn = role.Role.Arn;
      const changes: Change[] = [];
      if (canonicalJson(decodePolicy(role.Role.AssumeRolePolicyDocument)) !== canonicalJson(LAMBDA_TRUST_POLICY)) {
        changes.push({ field: 'trustPolicy' });
      }
      const inline = await listInline(iam, RoleName);
      const ours = inline.includes(INLINE_POLICY_NAME)
        ? await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: INLINE_POLICY_NAME }))
        : undefined;
      if (canonicalJson(decodePolicy(ours?.PolicyDocument)) !== canonicalJson(policy(ctx))) {
        changes.push({ field: 'inlinePolicy' });
      }
      for (const other of inline.filter((policyName) => policyName !== INLINE_POLICY_NAME)) {
        changes.push({ action: 'removeInlinePolicy', policy: other });
      }
      for (const policyArn of await listAttached(iam, RoleName)) changes.push({ action: 'detachPolicy', policyArn });
      // Without a spec (status) a role is still degraded when its policy is not ours.
      return {
        presence: changes.length > 0 && !ctx.spec ? 'degraded' : 'present',
        ...(arn ? { arn } : {}),
        changes: ctx.spec ? changes : [],
        notes: ctx.spec ? [] : changes.map((change) => ({ note: 'differs', change })),
      };
    },
    async ensure(ctx, observed) {
      const iam = await ctx.clients.get('iam');
      const creating = observed.presence === 'missing';
      let arn = observed.arn;
      if (creating) {
        const created = await iam.send(
          new CreateRoleCommand({
            RoleName,
            AssumeRolePolicyDocument: JSON.stringify(LAMBDA_TRUST_POLICY),
            Description: `stockpipe ${ctx.name}: execution role of ${RoleName.replace(/-role$/, '')}`,
            Tags: tagList(ctx.tags),
          }),
        );
        arn = created.Role?.Arn;
        await waitFor(ctx, iam, waitUntilRoleExists, { RoleName });
      }
      if (!creating && hasChange(observed.changes, 'trustPolicy')) {
        await iam.send(
          new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(LAMBDA_TRUST_POLICY) }),
        );
      }
      if (creating || hasChange(observed.changes, 'inlinePolicy')) {
        await iam.send(
          new PutRolePolicyCommand({
            RoleName,
            PolicyName: INLINE_POLICY_NAME,
            PolicyDocument: JSON.stringify(policy(ctx)),
          }),
        );
      }
      for (const change of observed.changes) {
        if (!('action' in change)) continue;
        if (change.action === 'removeInlinePolicy') {
          await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: change.policy }));
        } else if (change.action === 'detachPolicy') {
          await iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: change.policyArn }));
        }
      }
      return { action: creating ? 'created' : 'updated', ...(arn ? { arn } : {}) };
    },
    async destroy(ctx) {
      const iam = await ctx.clients.get('iam');
      try {
        for (const PolicyName of await listInline(iam, RoleName)) {
          await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }));
        }
        for (const PolicyArn of await listAttached(iam, RoleName)) {
          await iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn }));
        }
        await iam.send(new DeleteRoleCommand({ RoleName }));
        return 'deleted';
      } catch (error) {
        if (isNotFound(error)) return 'absent';
        throw error;
      }
    },
  };
}
