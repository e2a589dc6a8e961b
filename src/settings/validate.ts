import { reservedNameProblem } from '../core/names.ts';
import { quoted } from '../core/printable.ts';

/** Validators for setting values. Each returns the parsed value or throws a message naming the rule. */

export const NAME_RULE = '3–24 characters: lower-case letters, digits and hyphens, starting with a letter';
const NAME_PATTERN = /^[a-z][a-z0-9-]{2,23}$/;

export function parsePipelineName(value: string): string {
  if (!NAME_PATTERN.test(value) || value.endsWith('-') || value.includes('--')) {
    throw new Error(`invalid pipeline name '${quoted(value)}': use ${NAME_RULE}, not ending in or doubling a hyphen`);
  }
  const reserved = reservedNameProblem(value);
  if (reserved) throw new Error(`invalid pipeline name '${quoted(value)}': ${reserved}; choose another --name`);
  return value;
}

export const TARGETS = ['aws', 'local'] as const;
export type Target = (typeof TARGETS)[number];

export function parseTarget(value: string): Target {
  if ((TARGETS as readonly string[]).includes(value)) return value as Target;
  throw new Error(`invalid target '${quoted(value)}': use one of ${TARGETS.join(', ')}`);
}

// Commercial, GovCloud, China and ISO partitions: us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1.
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export function parseRegion(value: string): string {
  if (!REGION_PATTERN.test(value)) {
    throw new Error(`invalid region '${quoted(value)}': expected an AWS region code such as us-east-1 or eu-west-2`);
  }
  return value;
}

export function parseProfile(value: string): string {
  if (value.trim() === '' || /\s/.test(value)) {
    throw new Error(`invalid profile '${quoted(value)}': a profile name has no spaces`);
  }
  return value;
}
