/**
 * --strategy <file>: which values name a file, and the file bundled and checked before anything
 * else runs (src/packaging/strategy-bundle.ts). A bad file is a UsageError: exit 2, one line.
 */
import type { FileStrategyConfig, Strategy } from '../../core/strategies/index.ts';
import { UsageError } from '../../errors.ts';

/** A value with a path separator or a script's extension is a file; anything else names a built-in. */
export function isStrategyFile(value: string): boolean {
  return /[\\/]/.test(value) || /\.(mjs|js|ts)$/i.test(value);
}

export interface LoadedStrategyFile {
  config: FileStrategyConfig;
  strategy: Strategy;
}

/** The file --strategy names, bundled, loaded and checked; undefined when it names a built-in. */
export async function loadStrategyFile(
  value: string | undefined,
  cwd: string,
): Promise<LoadedStrategyFile | undefined> {
  if (value === undefined || !isStrategyFile(value)) return undefined;
  const { bundleStrategyFile, StrategyFileError } = await import('../../packaging/strategy-bundle.ts');
  try {
    const bundle = await bundleStrategyFile(value, cwd);
    return { config: { name: bundle.name, file: bundle.file, bundle: bundle.hash }, strategy: bundle.strategy };
  } catch (error) {
    if (error instanceof StrategyFileError) throw new UsageError(`invalid --strategy ${value}: ${error.message}`);
    throw error;
  }
}
