/**
 * The environment contract between whoever deploys the handlers (setup on AWS, the local
 * runner offline) and the handlers themselves. One module owns both directions, so the names
 * cannot drift apart.
 */
import { type AlertLanguage, isAlertLanguage } from './alert-text.ts';
import {
  DEFAULT_CROSSOVER,
  DEFAULT_THRESHOLD,
  isFileStrategy,
  STRATEGY_NAME_PATTERN,
  type StrategyConfig,
  strategyProblem,
} from './strategies/index.ts';

export interface IngestConfig {
  quotesTable: string;
  rawBucket: string;
  anomalyThresholdPct: number;
  ttlDays: number;
}

export interface TrendsConfig {
  quotesTable: string;
  alertsTable: string;
  /** Empty: alerts are recorded but not published. */
  alertsTopicArn: string;
  strategy: StrategyConfig;
  cooldownMinutes: number;
  /** A point whose ingested_at is this much later than its timestamp is stale (replay exempt). */
  staleMinutes: number;
  language: AlertLanguage;
  anomalyAlerts: boolean;
  anomalyThresholdPct: number;
}

export const HANDLER_DEFAULTS = {
  anomalyThresholdPct: 5,
  ttlDays: 30,
  cooldownMinutes: 15,
  staleMinutes: 60,
  language: 'en' as AlertLanguage,
  anomalyAlerts: false,
};

type Env = Record<string, string | undefined>;

export function ingestConfigFromEnv(env: Env): IngestConfig {
  const read = reader(env);
  const config = {
    quotesTable: read.required('QUOTES_TABLE'),
    rawBucket: read.required('RAW_BUCKET'),
    anomalyThresholdPct: read.number('ANOMALY_THRESHOLD_PCT', HANDLER_DEFAULTS.anomalyThresholdPct),
    ttlDays: read.number('TTL_DAYS', HANDLER_DEFAULTS.ttlDays),
  };
  read.finish();
  return config;
}

export function trendsConfigFromEnv(env: Env): TrendsConfig {
  const read = reader(env);
  const name = env.STRATEGY ?? 'crossover';
  let strategy: StrategyConfig;
  if (name === 'crossover') {
    strategy = {
      name,
      short: read.number('SMA_SHORT', DEFAULT_CROSSOVER.short),
      long: read.number('SMA_LONG', DEFAULT_CROSSOVER.long),
    };
  } else if (name === 'threshold') {
    strategy = {
      name,
      threshPct: read.number('THRESH_PCT', DEFAULT_THRESHOLD.threshPct),
      lookback: read.number('LOOKBACK', DEFAULT_THRESHOLD.lookback),
      smaWindow: read.number('SMA_WINDOW', DEFAULT_THRESHOLD.smaWindow),
      minPoints: read.number('MIN_POINTS', DEFAULT_THRESHOLD.minPoints),
      epsPct: read.number('EPS_PCT', DEFAULT_THRESHOLD.epsPct),
    };
  } else if (STRATEGY_NAME_PATTERN.test(name) && name !== 'anomaly') {
    // Any other name is the strategy setup bundled into the zip (strategy.mjs beside the handler).
    strategy = { name, file: '', bundle: '' };
  } else {
    read.problem(`STRATEGY '${name}' is not crossover, threshold or a strategy name of a-z, 0-9 and -`);
    strategy = { name: 'crossover', ...DEFAULT_CROSSOVER };
  }
  const problem = isFileStrategy(strategy) ? undefined : strategyProblem(strategy);
  if (problem) read.problem(`strategy ${strategy.name}: ${problem}`);
  const language = env.ALERT_LANG ?? HANDLER_DEFAULTS.language;
  if (!isAlertLanguage(language)) read.problem(`ALERT_LANG '${language}' is not en, es or pl`);
  const config: TrendsConfig = {
    quotesTable: read.required('QUOTES_TABLE'),
    alertsTable: read.required('ALERTS_TABLE'),
    alertsTopicArn: env.ALERTS_TOPIC_ARN ?? '',
    strategy,
    cooldownMinutes: read.number('COOLDOWN_MINUTES', HANDLER_DEFAULTS.cooldownMinutes),
    staleMinutes: read.number('STALE_MINUTES', HANDLER_DEFAULTS.staleMinutes),
    language: language as AlertLanguage,
    anomalyAlerts: read.boolean('ANOMALY_ALERTS', HANDLER_DEFAULTS.anomalyAlerts),
    anomalyThresholdPct: read.number('ANOMALY_THRESHOLD_PCT', HANDLER_DEFAULTS.anomalyThresholdPct),
  };
  read.finish();
  return config;
}

/** The environment variables for the ingest function (the inverse of ingestConfigFromEnv). */
export function ingestEnv(config: IngestConfig): Record<string, string> {
  return {
    QUOTES_TABLE: config.quotesTable,
    RAW_BUCKET: config.rawBucket,
    ANOMALY_THRESHOLD_PCT: String(config.anomalyThresholdPct),
    TTL_DAYS: String(config.ttlDays),
  };
}

/** The environment variables for the trends function (the inverse of trendsConfigFromEnv). */
export function trendsEnv(config: TrendsConfig): Record<string, string> {
  const { strategy } = config;
  // A file's strategy is named only: its code is in the zip, so an edited file changes the code alone.
  const strategyVars: Record<string, string> = isFileStrategy(strategy)
    ? { STRATEGY: strategy.name }
    : strategy.name === 'crossover'
      ? { STRATEGY: 'crossover', SMA_SHORT: String(strategy.short), SMA_LONG: String(strategy.long) }
      : {
          STRATEGY: 'threshold',
          THRESH_PCT: String(strategy.threshPct),
          LOOKBACK: String(strategy.lookback),
          SMA_WINDOW: String(strategy.smaWindow),
          MIN_POINTS: String(strategy.minPoints),
          EPS_PCT: String(strategy.epsPct),
        };
  return {
    QUOTES_TABLE: config.quotesTable,
    ALERTS_TABLE: config.alertsTable,
    ALERTS_TOPIC_ARN: config.alertsTopicArn,
    ...strategyVars,
    COOLDOWN_MINUTES: String(config.cooldownMinutes),
    STALE_MINUTES: String(config.staleMinutes),
    ALERT_LANG: config.language,
    ANOMALY_ALERTS: String(config.anomalyAlerts),
    ANOMALY_THRESHOLD_PCT: String(config.anomalyThresholdPct),
  };
}

/** Collects every problem, then throws them as one message naming each variable. */
function reader(env: Env) {
  const problems: string[] = [];
  return {
    required(name: string): string {
      const value = env[name];
      if (value === undefined || value === '') {
        problems.push(`${name} is not set`);
        return '';
      }
      return value;
    },
    number(name: string, fallback: number): number {
      const raw = env[name];
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0) {
        problems.push(`${name} must be a number ≥ 0, got '${raw}'`);
        return fallback;
      }
      return value;
    },
    boolean(name: string, fallback: boolean): boolean {
      const raw = env[name];
      if (raw === undefined || raw === '') return fallback;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      problems.push(`${name} must be true or false, got '${raw}'`);
      return fallback;
    },
    problem(message: string) {
      problems.push(message);
    },
    finish() {
      if (problems.length > 0) throw new Error(`invalid handler configuration: ${problems.join('; ')}`);
    },
  };
}
