/**
 * The identity policies a person needs for one pipeline, from the table in ./permissions.ts:
 * every action named (no wildcards), every resource an ARN of this pipeline where IAM can scope
 * the action, one statement per group of resources.
 */
import { CLAIM_PREFIX, FAILED_PREFIX, QUARANTINE_PREFIX, REDRIVEN_PREFIX } from '../core/failed-records.ts';
import { COMPACTED_FOLDERS } from '../core/lake.ts';
import { bucketNames, pipelineNames } from '../core/names.ts';
import { arns } from './arns.ts';
import { type IamAction, POLICY_COMMANDS, type PolicyKind, permissionsOf, type Scope } from './permissions.ts';

/** Where the pipeline lives: the ARNs are built from these. */
export interface PolicyPlace {
  name: string;
  account: string;
  region: string;
  partition: string;
}

export interface IdentityPolicyStatement {
  Effect: 'Allow';
  Action: IamAction[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IdentityPolicy {
  Version: '2012-10-17';
  Statement: IdentityPolicyStatement[];
}

interface Grant {
  resources: string[];
  condition?: IdentityPolicyStatement['Condition'];
}

/** The partition of a region: aws-cn and aws-us-gov have their own. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** What a scope of ./permissions.ts means for this pipeline. */
export function grantOf(scope: Scope, place: PolicyPlace): Grant {
  const names = pipelineNames(place.name);
  const buckets = bucketNames(place.name, place.account, place.region);
  const raw = arns.bucket(place, buckets.raw);
  const results = arns.bucket(place, buckets.results);
  const logGroups = [names.ingestLogGroup, names.trendsLogGroup].map((group) => arns.logGroup(place, group));
  const functions = [names.ingestFunction, names.trendsFunction].map((fn) => arns.fn(place, fn));
  const catalog = arns.glueCatalog(place);
  const database = arns.glueDatabase(place, names.glueDatabase);
  const only = (...resources: string[]): Grant => ({ resources });
  switch (scope) {
    case 'stream':
      return only(arns.stream(place, names.stream));
    case 'buckets':
      return only(raw, results);
    case 'bucket-objects':
      return only(`${raw}/*`, `${results}/*`);
    case 'raw-bucket':
      return only(raw);
    case 'raw-objects':
      return only(`${raw}/*`);
    case 'lake-objects':
      return only(
        ...[...COMPACTED_FOLDERS.flatMap((folder) => [folder.raw.prefix, folder.prefix])].map(
          (prefix) => `${raw}/${prefix}/*`,
        ),
      );
    case 'compacted-objects':
      return only(...COMPACTED_FOLDERS.map((folder) => `${raw}/${folder.prefix}/*`));
    case 'compacted-tables':
      return only(
        catalog,
        database,
        arns.glueTable(place, names.glueDatabase, names.glueCompactedTable),
        arns.glueTable(place, names.glueDatabase, names.glueCompactedMonthlyTable),
      );
    case 'kept-objects':
      return only(`${raw}/${FAILED_PREFIX}*`, `${raw}/${QUARANTINE_PREFIX}*`);
    case 'redriven-objects':
      return only(`${raw}/${REDRIVEN_PREFIX}*`);
    case 'redrive-claims':
      return only(`${raw}/${CLAIM_PREFIX}*`);
    case 'results-bucket':
      return only(results);
    case 'results-objects':
      return only(`${results}/*`);
    case 'tables':
      return only(arns.table(place, names.quotesTable), arns.table(place, names.alertsTable));
    case 'quotes-table':
      return only(arns.table(place, names.quotesTable));
    case 'alerts-table':
      return only(arns.table(place, names.alertsTable));
    case 'roles':
      return only(arns.role(place, names.ingestRole), arns.role(place, names.trendsRole));
    case 'roles-passed-to-lambda':
      return {
        resources: [arns.role(place, names.ingestRole), arns.role(place, names.trendsRole)],
        condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      };
    case 'functions':
      return only(...functions);
    case 'event-source-mappings':
      // Mappings are named by a UUID Lambda chooses: scoped by the function they belong to.
      return { resources: ['*'], condition: { ArnLike: { 'lambda:FunctionArn': functions } } };
    case 'log-groups':
      return only(...logGroups.flatMap((group) => [group, `${group}:*`]));
    case 'every-log-group':
      // DescribeLogGroups lists by prefix: IAM checks it against the account's log groups.
      return only(`arn:${place.partition}:logs:${place.region}:${place.account}:log-group:*`);
    case 'topics':
      return only(arns.topic(place, names.alertsTopic), arns.topic(place, names.legacyFailuresTopic));
    case 'alerts-topic':
      return only(arns.topic(place, names.alertsTopic));
    case 'glue-database':
      // The pipeline's own database and the tables in it.
      return only(catalog, database, arns.glueTable(place, names.glueDatabase, '*'));
    case 'athena-catalog-reads':
      // Athena looks up the `default` database whatever the query names.
      return only(
        catalog,
        arns.glueDatabase(place, 'default'),
        database,
        arns.glueTable(place, names.glueDatabase, '*'),
      );
    case 'workgroups':
      return only(arns.workgroup(place, names.workgroup), arns.workgroup(place, names.legacyWorkgroup));
    case 'workgroup':
      return only(arns.workgroup(place, names.workgroup));
    case 'alarms':
      return only(...Object.values(names.alarms).map((alarm) => arns.alarm(place, alarm)));
    case 'no-data-alarm':
      return only(arns.alarm(place, names.alarms.noIncomingData));
    case 'any':
      return only('*');
  }
}

/** The policy for the commands of `kind` (./permissions.ts POLICY_COMMANDS) on this pipeline. */
export function identityPolicy(kind: PolicyKind, place: PolicyPlace): IdentityPolicy {
  const byScope = new Map<Scope, Set<IamAction>>();
  for (const [action, scope] of permissionsOf(POLICY_COMMANDS[kind])) {
    const actions = byScope.get(scope) ?? new Set<IamAction>();
    actions.add(action);
    byScope.set(scope, actions);
  }
  // An action granted on a scope that another grant of it already covers adds nothing.
  for (const [scope, actions] of byScope) {
    const grant = grantOf(scope, place);
    for (const action of actions) {
      const covered = [...byScope].some(
        ([other, granted]) => other !== scope && granted.has(action) && covers(grantOf(other, place), grant),
      );
      if (covered) actions.delete(action);
    }
    if (actions.size === 0) byScope.delete(scope);
  }
  const statements = [...byScope.entries()].map(([scope, actions]): IdentityPolicyStatement => {
    const grant = grantOf(scope, place);
    return {
      Effect: 'Allow',
      Action: [...actions].sort(),
      Resource: grant.resources,
      ...(grant.condition ? { Condition: grant.condition } : {}),
    };
  });
  // No Sids: IAM counts every character against the policy's size limit.
  return { Version: '2012-10-17', Statement: statements };
}

/** Whether `wide` grants at least what `narrow` does: no condition, and every resource of narrow listed. */
function covers(wide: Grant, narrow: Grant): boolean {
  if (wide.condition || narrow.condition) return false;
  return narrow.resources.every((resource) => wide.resources.includes(resource));
}

/** Every action of a policy, each once, sorted. */
export function actionsOf(policy: IdentityPolicy): IamAction[] {
  return [...new Set(policy.Statement.flatMap((statement) => statement.Action))].sort();
}

/** A customer managed policy holds up to this many characters (whitespace not counted)… */
export const MANAGED_POLICY_LIMIT = 6144;
/** …a role's inline policies this many. */
export const ROLE_INLINE_POLICY_LIMIT = 10_240;

/** The size IAM counts against those limits: the JSON without whitespace outside strings. */
export function policySize(policy: IdentityPolicy): number {
  return JSON.stringify(policy).length;
}
