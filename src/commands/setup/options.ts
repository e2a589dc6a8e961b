/** setup's flags → the desired pipeline spec. Every problem is a UsageError (exit 2) before any AWS call. */
import { ALERT_LANGUAGES, isAlertLanguage } from '../../core/alert-text.ts';
import { HANDLER_DEFAULTS } from '../../core/handler-env.ts';
import {
  DEFAULT_CROSSOVER,
  DEFAULT_THRESHOLD,
  type StrategyConfig,
  strategyProblem,
} from '../../core/strategies/index.ts';
import { UsageError } from '../../errors.ts';
import { DEFAULT_LOG_RETENTION_DAYS, LOG_RETENTION_DAYS } from '../../pipeline/resources/log-group.ts';
import type { PipelineSpec } from '../../pipeline/types.ts';

export interface SetupFlags {
  email?: string[];
  strategy?: string;
  smaShort?: string;
  smaLong?: string;
  threshPct?: string;
  lookback?: string;
  smaWindow?: string;
  minPoints?: string;
  epsPct?: string;
  alertLang?: string;
  logRetention?: string;
  dryRun?: boolean;
}

export interface SetupOptions {
  spec: PipelineSpec;
  dryRun: boolean;
  /** True when --email was given: no prompt for one. */
  emailsGiven: boolean;
}

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

export function parseSetupFlags(flags: SetupFlags): SetupOptions {
  const emails = flags.email ?? [];
  for (const email of emails) {
    if (!isEmail(email))
      throw new UsageError(`invalid --email '${email}': expected an address such as you@example.com`);
  }

  const strategyName = flags.strategy ?? 'crossover';
  let strategy: StrategyConfig;
  if (strategyName === 'crossover') {
    strategy = {
      name: 'crossover',
      short: number('sma-short', flags.smaShort, DEFAULT_CROSSOVER.short),
      long: number('sma-long', flags.smaLong, DEFAULT_CROSSOVER.long),
    };
  } else if (strategyName === 'threshold') {
    strategy = {
      name: 'threshold',
      threshPct: number('thresh-pct', flags.threshPct, DEFAULT_THRESHOLD.threshPct),
      lookback: number('lookback', flags.lookback, DEFAULT_THRESHOLD.lookback),
      smaWindow: number('sma-window', flags.smaWindow, DEFAULT_THRESHOLD.smaWindow),
      minPoints: number('min-points', flags.minPoints, DEFAULT_THRESHOLD.minPoints),
      epsPct: number('eps-pct', flags.epsPct, DEFAULT_THRESHOLD.epsPct),
    };
  } else {
    throw new UsageError(`invalid --strategy '${strategyName}': use crossover or threshold`);
  }
  const crossoverOnly = ['smaShort', 'smaLong'] as const;
  const thresholdOnly = ['threshPct', 'lookback', 'smaWindow', 'minPoints', 'epsPct'] as const;
  const misplaced = (strategy.name === 'crossover' ? thresholdOnly : crossoverOnly).find(
    (key) => flags[key] !== undefined,
  );
  if (misplaced) {
    const flag = misplaced.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
    throw new UsageError(`--${flag} does not apply to --strategy ${strategy.name}`);
  }
  const problem = strategyProblem(strategy);
  if (problem) throw new UsageError(`invalid ${strategy.name} parameters: ${problem}`);

  const language = flags.alertLang ?? HANDLER_DEFAULTS.language;
  if (!isAlertLanguage(language)) {
    throw new UsageError(`invalid --alert-lang '${language}': use one of ${ALERT_LANGUAGES.join(', ')}`);
  }

  const logRetentionDays = number('log-retention', flags.logRetention, DEFAULT_LOG_RETENTION_DAYS);
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
    dryRun: flags.dryRun === true,
    emailsGiven: emails.length > 0,
  };
}
