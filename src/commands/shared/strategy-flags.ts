/** The trend strategy's flags, as setup deploys them and backtest evaluates them: declared once. */
import type { FlagSpec } from '../flags.ts';

export const STRATEGY_FLAGS = [
  {
    syntax: '--strategy <name|file>',
    description:
      'trend strategy: crossover (default), threshold, or your own file (.mjs, .js, .ts; docs/strategies.md)',
  },
  { syntax: '--sma-short <n>', description: 'crossover: short SMA window (default 5)' },
  { syntax: '--sma-long <n>', description: 'crossover: long SMA window (default 20)' },
  { syntax: '--thresh-pct <pct>', description: 'threshold: minimum move in percent (default 1.5)' },
  { syntax: '--lookback <n>', description: 'threshold: points the move is measured over (default 15)' },
  { syntax: '--sma-window <n>', description: 'threshold: SMA window the price must clear (default 20)' },
  { syntax: '--min-points <n>', description: 'threshold: points before the first signal (default 20)' },
  { syntax: '--eps-pct <pct>', description: 'threshold: how far beyond the SMA, in percent (default 0.2)' },
] as const satisfies readonly FlagSpec[];
