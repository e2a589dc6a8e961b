/**
 * The strategy the trends function runs: a built-in from its parameters, or the user's strategy
 * setup bundled into the zip as strategy.mjs beside index.mjs (src/packaging/strategy-bundle.ts).
 * A file's strategy is imported once per execution environment and checked as setup checked it.
 */
import type { TrendsConfig } from '../../src/core/handler-env.ts';
import {
  builtinStrategy,
  isFileStrategy,
  STRATEGY_MODULE,
  type Strategy,
  strategyShapeProblem,
} from '../../src/core/strategies/index.ts';

let bundled: Promise<Strategy> | undefined;

export function strategyOf(config: TrendsConfig): Promise<Strategy> {
  const { strategy } = config;
  if (!isFileStrategy(strategy)) return Promise.resolve(builtinStrategy(strategy));
  bundled ??= importBundled(strategy.name);
  return bundled;
}

async function importBundled(name: string): Promise<Strategy> {
  const module = (await import(new URL(`./${STRATEGY_MODULE}`, import.meta.url).href)) as { default?: unknown };
  const problem = strategyShapeProblem(module.default);
  if (problem) throw new Error(`${STRATEGY_MODULE}: ${problem}`);
  const strategy = module.default as Strategy;
  if (strategy.name !== name) {
    throw new Error(`${STRATEGY_MODULE} is the strategy '${strategy.name}', but STRATEGY names '${name}'`);
  }
  return strategy;
}
