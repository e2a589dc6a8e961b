/** The permissions section of docs/aws.md, rendered from the table (./permissions.ts) so the two cannot differ. */
import { type IamAction, POLICY_COMMANDS, type PolicyKind, permissionsOf } from './permissions.ts';

export const PERMISSIONS_DOC_BEGIN =
  '<!-- permissions: generated from src/pipeline/permissions.ts by `npm run docs:permissions`; edit the table, not this list -->';
export const PERMISSIONS_DOC_END = '<!-- end of permissions -->';

const SERVICE_NAMES: Record<string, string> = {
  athena: 'Athena',
  cloudwatch: 'CloudWatch',
  dynamodb: 'DynamoDB',
  glue: 'Glue',
  iam: 'IAM',
  kinesis: 'Kinesis',
  lambda: 'Lambda',
  logs: 'CloudWatch Logs',
  s3: 'S3',
  sns: 'SNS',
  sts: 'STS',
};

function table(kind: PolicyKind): string[] {
  const byService = new Map<string, Set<string>>();
  for (const [action] of permissionsOf(POLICY_COMMANDS[kind])) {
    const [service = '', operation = ''] = (action as IamAction).split(':');
    const operations = byService.get(service) ?? new Set<string>();
    operations.add(operation);
    byService.set(service, operations);
  }
  const rows = [...byService.entries()]
    .map(([service, operations]) => [SERVICE_NAMES[service] ?? service, [...operations].sort()] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return [
    '| service | actions |',
    '| --- | --- |',
    ...rows.map(([service, operations]) => `| ${service} | ${operations.map((o) => `\`${o}\``).join(', ')} |`),
  ];
}

/** The block between the markers, markers included. */
export function permissionsDoc(): string {
  const kinds = Object.keys(POLICY_COMMANDS) as PolicyKind[];
  return [
    PERMISSIONS_DOC_BEGIN,
    ...kinds.flatMap((kind) => [
      '',
      `\`stockpipe policy ${kind}\` — ${POLICY_COMMANDS[kind].join(', ')}:`,
      '',
      ...table(kind),
    ]),
    '',
    PERMISSIONS_DOC_END,
  ].join('\n');
}

/** `text` with its permissions block replaced by the current one; undefined when it has no block. */
export function withPermissionsDoc(text: string): string | undefined {
  const begin = text.indexOf(PERMISSIONS_DOC_BEGIN);
  const end = text.indexOf(PERMISSIONS_DOC_END);
  if (begin < 0 || end < begin) return undefined;
  return `${text.slice(0, begin)}${permissionsDoc()}${text.slice(end + PERMISSIONS_DOC_END.length)}`;
}
