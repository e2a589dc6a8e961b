/**
 * `stockpipe policy`: prints the IAM policy a person needs for one pipeline, from the table of
 * the calls stockpipe makes (src/pipeline/permissions.ts). Without --account the account is the
 * caller's (STS GetCallerIdentity, which needs no permission); with it nothing is sent to AWS.
 */
import { StockpipeError, UsageError } from '../../errors.ts';
import {
  type IdentityPolicy,
  identityPolicy,
  MANAGED_POLICY_LIMIT,
  type PolicyPlace,
  partitionOfRegion,
  policySize,
  ROLE_INLINE_POLICY_LIMIT,
} from '../../pipeline/iam-policy.ts';
import type { Identity } from '../../pipeline/run.ts';
import type { IO } from '../../ui/io.ts';
import { describeKind, type PolicyOptions } from './options.ts';

export interface PolicyDeps {
  io: IO;
  name: string;
  /** The caller's account, region and partition (STS). */
  identity: () => Promise<Identity>;
  /** The region the SDK resolves (flag, environment, profile) without calling AWS; undefined when none. */
  region: () => Promise<string | undefined>;
}

export async function placeOfPolicy(options: PolicyOptions, deps: PolicyDeps): Promise<PolicyPlace> {
  if (options.account !== undefined) {
    const region = await deps.region();
    if (!region) {
      throw new UsageError(
        'no AWS region: pass --region (or set AWS_REGION) — the policy names the region of every resource',
      );
    }
    return { name: deps.name, account: options.account, region, partition: partitionOfRegion(region) };
  }
  let identity: Identity;
  try {
    identity = await deps.identity();
  } catch (error) {
    if (error instanceof StockpipeError) {
      throw new StockpipeError(
        `${error.message.replace(/\.$/, '')} — or pass --account <id> to print it without credentials`,
      );
    }
    throw error;
  }
  return { name: deps.name, account: identity.account, region: identity.region, partition: identity.partition };
}

export async function runPolicy(options: PolicyOptions, deps: PolicyDeps): Promise<number> {
  const { io } = deps;
  const place = await placeOfPolicy(options, deps);
  const policy: IdentityPolicy = identityPolicy(options.kind, place);
  if (io.json) {
    io.outJson(policy);
    return 0;
  }
  io.outJson(policy); // the document as it is, never wrapped to a terminal
  const size = policySize(policy);
  const fileName = `stockpipe-${place.name}-${options.kind}.json`;
  io.err(
    `IAM policy for ${describeKind(options.kind)} of pipeline ${place.name} in account ${place.account}, region ${place.region}: ${size} characters.`,
  );
  if (size <= MANAGED_POLICY_LIMIT) {
    io.err(
      `Save this output as ${fileName}, then: aws iam create-policy --policy-name stockpipe-${place.name}-${options.kind} --policy-document file://${fileName}`,
    );
  } else {
    io.err(
      `That is more than a managed policy holds (${MANAGED_POLICY_LIMIT}): put it inline on the role that deploys (up to ${ROLE_INLINE_POLICY_LIMIT}): aws iam put-role-policy --role-name <role> --policy-name stockpipe-${place.name}-${options.kind} --policy-document file://${fileName}`,
    );
  }
  return 0;
}
