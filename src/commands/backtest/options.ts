/**
 * `stockpipe backtest` flags → validated options. Everything here runs before the file is read:
 * bad input is a UsageError (exit 2, one line). The file checks are the replay source's own
 * (stream's replaySettings) and the strategy flags are setup's, so the three cannot drift apart.
 */
import { HANDLER_DEFAULTS } from '../../core/handler-env.ts';
import { builtinStrategy, isFileStrategy, type Strategy, type StrategyConfig } from '../../core/strategies/index.ts';
import { UsageError } from '../../errors.ts';
import type { TableFormat } from '../../ui/table-formats.ts';
import { parseStrategyFlags } from '../setup/options.ts';
import { loadStrategyFile } from '../shared/strategy-file.ts';
import { parseSymbol } from '../shared/symbol.ts';
import { replaySettings } from '../stream/options.ts';
import { BACKTEST_NEEDS_FILE, type BacktestFlags } from './command.ts';

export type { BacktestFlags };

export interface BacktestOptions {
  /** Absolute path of the CSV or NDJSON file. */
  file: string;
  /** The file as given, for messages. */
  fileLabel: string;
  fileFormat: 'csv' | 'ndjson';
  /** The symbol of a CSV file; for NDJSON, only these symbols (all when empty). */
  symbols: string[];
  /** What the strategy is, as setup would deploy it (and --format json prints it). */
  strategyConfig: StrategyConfig;
  /** The strategy itself: a built-in, or the file's default export. */
  strategy: Strategy;
  /** The trends function's cooldown per symbol and signal, in data time. */
  cooldownMinutes: number;
  output: TableFormat;
}

export async function parseBacktestOptions(
  flags: BacktestFlags,
  context: { cwd: string; json: boolean },
): Promise<BacktestOptions> {
  // A missing --file is refused by its spec; a blank one is no better.
  if (flags.file.trim() === '') throw new UsageError(BACKTEST_NEEDS_FILE);
  const output = parseOutputFormat(flags.format, context.json);
  // A file's strategy is bundled exactly as setup bundles it, and the bundle is what runs.
  const file = await loadStrategyFile(flags.strategy, context.cwd);
  const strategyConfig = parseStrategyFlags(flags, undefined, file?.config);
  const symbols: string[] = [];
  for (const raw of flags.symbol ?? []) {
    const symbol = parseSymbol(raw);
    if (!symbols.includes(symbol)) symbols.push(symbol);
  }
  const replay = replaySettings({ file: flags.file }, context.cwd, symbols);
  return {
    file: replay.file,
    fileLabel: flags.file,
    fileFormat: replay.format,
    symbols,
    strategyConfig,
    strategy: file ? file.strategy : isFileStrategy(strategyConfig) ? unreachable() : builtinStrategy(strategyConfig),
    cooldownMinutes: HANDLER_DEFAULTS.cooldownMinutes,
    output,
  };
}

function unreachable(): never {
  throw new Error('a strategy file without its module');
}

function parseOutputFormat(format: TableFormat | undefined, json: boolean): TableFormat {
  if (format === undefined) return json ? 'json' : 'table';
  if (json && format !== 'json') throw new UsageError(`--json prints JSON: drop --json to get --format ${format}`);
  return format;
}
