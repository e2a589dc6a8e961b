/**
 * A command's flags, declared once: from each `FlagSpec` come the flags' TypeScript type
 * (`FlagsOf`, inferred from the syntax as @commander-js/extra-typings does), commander's Option
 * (`optionOf`), the help line, the docs check, and the simple validation every command would
 * otherwise repeat in its `parse` (`checkFlags`: required, choices, whole numbers).
 */
import { Option } from 'commander';
import { UsageError } from '../errors.ts';

export interface FlagSpec {
  /** commander's syntax: '--email <address>', '-f, --follow', '--dry-run'. */
  readonly syntax: string;
  readonly description: string;
  /** May be given more than once: the values arrive as an array. */
  readonly repeatable?: boolean;
  /** The command cannot run without it: marked in --help, and this is said when it is missing. */
  readonly required?: string;
  /** The only values it takes: another is refused with `invalid --flag 'x': use a, b, c`. */
  readonly choices?: readonly string[];
  /** A whole number in this range, handed to `parse` as a number. */
  readonly whole?: { readonly min: number; readonly max?: number };
}

/** '--sort-limit' from '--sort-limit <size>' or '-s, --sort-limit <size>'. */
type LongOf<S extends string> = S extends `${string}, ${infer Rest}`
  ? LongOf<Rest>
  : S extends `${infer Long} ${string}`
    ? Long
    : S;
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
/** commander's attribute name: 'sortLimit' for --sort-limit, 'color' for --no-color. */
export type KeyOf<S extends string> =
  LongOf<S> extends `--no-${infer Name}` ? Camel<Name> : LongOf<S> extends `--${infer Name}` ? Camel<Name> : never;

type ValueOf<F extends FlagSpec> = F['syntax'] extends `${string}<${string}>`
  ? F extends { repeatable: true }
    ? string[]
    : F extends { whole: object }
      ? number
      : F extends { choices: readonly (infer Choice)[] }
        ? Choice
        : string
  : boolean;

type Simplify<T> = { [K in keyof T]: T[K] };

/** The flags as `parse` receives them: required ones present, the others optional. */
export type FlagsOf<Specs extends readonly FlagSpec[]> = Simplify<
  { [F in Specs[number] as F extends { required: string } ? KeyOf<F['syntax']> : never]: ValueOf<F> } & {
    [F in Specs[number] as F extends { required: string } ? never : KeyOf<F['syntax']>]?: ValueOf<F>;
  }
>;

/** The flag's commander Option; its help line says "(required)" after a required flag's description. */
export function optionOf(spec: FlagSpec): Option {
  const option = new Option(spec.syntax, spec.required ? `${spec.description} (required)` : spec.description);
  return spec.repeatable ? option.argParser(collect) : option;
}

/** For repeatable options (`--symbol A --symbol B`): commander calls it once per occurrence. */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** '--since' for '--since <time>'. */
export const longOf = (spec: Pick<FlagSpec, 'syntax'>): string => new Option(spec.syntax).long as string;

/** The key commander stores the flag under: 'dryRun' for --dry-run. */
export const keyOf = (spec: Pick<FlagSpec, 'syntax'>): string => new Option(spec.syntax).attributeName();

/** Takes a value (`--name <pipeline>`): the next word on the command line is the flag's. */
export const takesValue = (spec: Pick<FlagSpec, 'syntax'>): boolean => new Option(spec.syntax).required;

/**
 * The flags as commander handed them over, checked against their specs: a missing required flag,
 * a value outside its choices or a bad whole number is a UsageError (exit 2, one line). Whole
 * numbers come back as numbers; everything else as given.
 */
export function checkFlags(specs: readonly FlagSpec[], given: Record<string, unknown>): Record<string, unknown> {
  const flags = { ...given };
  for (const spec of specs) {
    const value = flags[keyOf(spec)];
    if (spec.required && (value === undefined || (Array.isArray(value) && value.length === 0))) {
      throw new UsageError(spec.required);
    }
  }
  for (const spec of specs) {
    const key = keyOf(spec);
    const value = flags[key];
    if (typeof value !== 'string') continue;
    if (spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`invalid ${longOf(spec)} '${value}': use ${spec.choices.join(', ')}`);
    }
    if (spec.whole) flags[key] = wholeNumber(value, longOf(spec), spec.whole);
  }
  return flags;
}

function wholeNumber(text: string, flag: string, { min, max }: NonNullable<FlagSpec['whole']>): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`invalid ${flag} '${text}': use a whole number ${range}`);
  }
  return value;
}
