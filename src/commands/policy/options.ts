/** `stockpipe policy <deploy|use>`: which policy, and the account when it is given. */
import { UsageError } from '../../errors.ts';
import { POLICY_COMMANDS, type PolicyKind } from '../../pipeline/permissions.ts';
import type { PolicyFlags } from './command.ts';

export type { PolicyFlags };

export interface PolicyOptions {
  kind: PolicyKind;
  /** Undefined: the account of the caller's credentials (STS GetCallerIdentity). */
  account?: string;
}

const KINDS = Object.keys(POLICY_COMMANDS) as PolicyKind[];

/** `deploy (setup, cleanup, status)`: what each kind covers, for messages and help. */
export const describeKind = (kind: PolicyKind): string => `${kind} (${POLICY_COMMANDS[kind].join(', ')})`;

export function parsePolicyOptions(flags: PolicyFlags, args: string[]): PolicyOptions {
  const [kind] = args;
  if (!KINDS.includes(kind as PolicyKind)) {
    throw new UsageError(
      `${kind === undefined ? 'which policy?' : `unknown policy '${kind}':`} use ${KINDS.map(describeKind).join(' or ')}`,
    );
  }
  const account = flags.account?.trim();
  if (account !== undefined && !/^\d{12}$/.test(account)) {
    throw new UsageError(`invalid --account '${flags.account}': an AWS account id is 12 digits`);
  }
  return { kind: kind as PolicyKind, ...(account !== undefined ? { account } : {}) };
}
