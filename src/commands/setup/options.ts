/** setup's flags → the desired pipeline spec. Every problem is a UsageError (exit 2) before any AWS call. */
import { ALERT_LANGUAGES, isAlertLanguage } from '../../core/alert-text.ts';
import { HANDLER_DEFAULTS } from '../../core/handler-env.ts';
import {
  DEFAULT_CROSSOVER,
  DEFAULT_THRESHOLD,
  describeStrategy,
  type FileStrategyConfig,
  isFileStrategy,
  type StrategyConfig,
  strategyProblem,
} from '../../core/strategies/index.ts';
import { UsageError } from '../../errors.ts';
import { DEFAULT_LOG_RETENTION_DAYS, LOG_RETENTION_DAYS } from '../../pipeline/log-retention.ts';
import type { DeployedSettings, DesiredSettings } from '../../pipeline/types.ts';
import { isStrategyFile } from '../shared/strategy-file.ts';
import type { SetupFlags } from './command.ts';

export type { SetupFlags };

export interface SetupOptions {
  spec: DesiredSettings;
  /** The flags as given: setup applies them again over the settings already deployed. */
  flags: SetupFlags;
  dryRun: boolean;
  /** True when --email was given: no prompt for one. */
  emailsGiven: boolean;
  /** --strategy <file>, bundled and checked before any AWS call. */
  strategyFile?: FileStrategyConfig;
}

const CROSSOVER_ONLY = ['smaShort', 'smaLong'] as const;
const THRESHOLD_ONLY = ['threshPct', 'lookback', 'smaWindow', 'minPoints', 'epsPct'] as const;

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isEmail(value: string): boolean {
  return EMAIL_PATTERN.test(value) && value.length <= 254;
}

function number(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${flag} must be a number, got '${raw}'`);
  return value;
}

/** The strategy flags (shared by setup and backtest) as commander hands them over. */
export type StrategyFlags = Pick<
  SetupFlags,
  'strategy' | 'smaShort' | 'smaLong' | 'threshPct' | 'lookback' | 'smaWindow' | 'minPoints' | 'epsPct'
>;

/**
 * --strategy and its parameters → a valid StrategyConfig, or a UsageError naming the flag.
 * `deployed`: the strategy a pipeline runs now (setup), whose parameters stand in for the ones
 * left out; without it (backtest) they take their defaults. `file`: --strategy <file>, already
 * bundled and checked (src/commands/shared/strategy-file.ts).
 */
export function parseStrategyFlags(
  flags: StrategyFlags,
  deployed?: StrategyConfig,
  file?: FileStrategyConfig,
): StrategyConfig {
  // Left out: what is deployed, else the default. A parameter keeps its deployed value only
  // while the strategy stays the same.
  // A strategy's own parameter names it (--lookback is threshold's): no --strategy needed.
  const named = (keys: readonly (keyof StrategyFlags)[]) => keys.some((key) => flags[key] !== undefined);
  const implied = named(THRESHOLD_ONLY) ? 'threshold' : named(CROSSOVER_ONLY) ? 'crossover' : undefined;
  if (flags.strategy === undefined && implied && deployed && implied !== deployed.name) {
    throw new UsageError(
      `this pipeline runs the ${deployed.name} strategy: add --strategy ${implied} to switch it to ${implied}`,
    );
  }
  if (flags.strategy !== undefined && isStrategyFile(flags.strategy)) {
    if (!file) throw new Error(`--strategy ${flags.strategy}: the file was not bundled before parsing`);
    const misplaced = [...CROSSOVER_ONLY, ...THRESHOLD_ONLY].find((key) => flags[key] !== undefined);
    if (misplaced)
      throw new UsageError(`${flagOf(misplaced)} does not apply to a strategy file (it holds its own parameters)`);
    return file;
  }
  // A file's code is not kept anywhere but the deployed zip: a setup that rebuilds the zip needs the file again.
  if (flags.strategy === undefined && !implied && deployed && isFileStrategy(deployed)) {
    throw new UsageError(
      `this pipeline runs the ${deployed.name} strategy from a file: give it again with --strategy <file> (or --strategy crossover to return to the built-in)`,
    );
  }
  const strategyName = flags.strategy ?? implied ?? deployed?.name ?? 'crossover';
  const base = deployed && !isFileStrategy(deployed) && deployed.name === strategyName ? deployed : undefined;
  let strategy: StrategyConfig;
  if (strategyName === 'crossover') {
    const was = base?.name === 'crossover' ? base : DEFAULT_CROSSOVER;
    strategy = {
      name: 'crossover',
      short: number('sma-short', flags.smaShort, was.short),
      long: number('sma-long', flags.smaLong, was.long),
    };
  } else if (strategyName === 'threshold') {
    const was = base?.name === 'threshold' ? base : DEFAULT_THRESHOLD;
    strategy = {
      name: 'threshold',
      threshPct: number('thresh-pct', flags.threshPct, was.threshPct),
      lookback: number('lookback', flags.lookback, was.lookback),
      smaWindow: number('sma-window', flags.smaWindow, was.smaWindow),
      minPoints: number('min-points', flags.minPoints, was.minPoints),
      epsPct: number('eps-pct', flags.epsPct, was.epsPct),
    };
  } else {
    throw new UsageError(
      `invalid --strategy '${strategyName}': use crossover, threshold or a strategy file (e.g. ./${strategyName}.mjs)`,
    );
  }
  const misplaced = (strategy.name === 'crossover' ? THRESHOLD_ONLY : CROSSOVER_ONLY).find(
    (key) => flags[key] !== undefined,
  );
  if (misplaced) throw new UsageError(`${flagOf(misplaced)} does not apply to --strategy ${strategy.name}`);
  const problem = strategyProblem(strategy);
  if (problem) throw new UsageError(`invalid ${strategy.name} parameters: ${problem}`);
  return strategy;
}

const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

export function parseSetupFlags(
  flags: SetupFlags,
  deployed?: DeployedSettings,
  strategyFile?: FileStrategyConfig,
): SetupOptions {
  const emails = flags.email ?? [];
  for (const email of emails) {
    if (!isEmail(email))
      throw new UsageError(`invalid --email '${email}': expected an address such as you@example.com`);
  }

  const strategy = parseStrategyFlags(flags, deployed?.strategy, strategyFile);

  const language = flags.alertLang ?? deployed?.language ?? HANDLER_DEFAULTS.language;
  if (!isAlertLanguage(language)) {
    throw new UsageError(`invalid --alert-lang '${language}': use one of ${ALERT_LANGUAGES.join(', ')}`);
  }

  const logRetentionDays = number(
    'log-retention',
    flags.logRetention,
    deployed?.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
  );
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    throw new UsageError(
      `invalid --log-retention '${flags.logRetention}': CloudWatch accepts ${LOG_RETENTION_DAYS.join(', ')} (days)`,
    );
  }

  return {
    spec: {
      emails: [...new Set(emails.map((email) => email.trim()))],
      strategy,
      language,
      logRetentionDays,
      anomalyThresholdPct: HANDLER_DEFAULTS.anomalyThresholdPct,
      anomalyAlerts: HANDLER_DEFAULTS.anomalyAlerts,
      ttlDays: HANDLER_DEFAULTS.ttlDays,
      cooldownMinutes: HANDLER_DEFAULTS.cooldownMinutes,
      staleMinutes: HANDLER_DEFAULTS.staleMinutes,
    },
    flags,
    dryRun: flags.dryRun === true,
    emailsGiven: emails.length > 0,
    ...(strategyFile ? { strategyFile } : {}),
  };
}

/** What changes between the deployed settings and the spec, as `setting: before → after`. */
export function settingChanges(deployed: DeployedSettings, spec: DesiredSettings): string[] {
  // A file's strategy is its name here: a new bundle of it is a code change, shown on the function.
  const show = (strategy: StrategyConfig) =>
    isFileStrategy(strategy)
      ? strategy.name
      : Object.entries(strategy)
          .map(([key, value]) => (key === 'name' ? String(value) : `${key} ${value}`))
          .join(' ');
  const changes: string[] = [];
  if (show(deployed.strategy) !== show(spec.strategy)) {
    changes.push(`strategy: ${show(deployed.strategy)} → ${describeStrategy(spec.strategy)}`);
  }
  if (deployed.language !== spec.language) changes.push(`alert language: ${deployed.language} → ${spec.language}`);
  if (deployed.logRetentionDays !== undefined && deployed.logRetentionDays !== spec.logRetentionDays) {
    changes.push(`log retention: ${deployed.logRetentionDays} → ${spec.logRetentionDays} days`);
  }
  return changes;
}
