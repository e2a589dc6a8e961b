/**
 * A user's strategy file (.mjs, .js or .ts) → one self-contained ES module, bundled by esbuild as
 * the handlers are: the same bytes are what `backtest` runs and what `setup` puts in the trends
 * zip as strategy.mjs beside index.mjs, so the backtest and the pipeline run the same code. The
 * bundle depends only on the file and what it imports (no dates, no absolute paths), so the same
 * file gives the same zip and a second setup finds nothing to change.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { build } from 'esbuild';
import { describeError, STRATEGY_MODULE, type Strategy, strategyShapeProblem } from '../core/strategies/index.ts';
import { nodeBuiltins } from './bundle.ts';
import { deterministicZip } from './deterministic-zip.ts';
import { codeSha256, LAMBDA_ENTRY_FILE } from './lambda-zip.ts';
import { unzip } from './unzip.ts';

export const STRATEGY_FILE_EXTENSIONS = ['.mjs', '.js', '.ts'] as const;

export interface StrategyBundle {
  /** Absolute path of the file. */
  file: string;
  name: string;
  history: number;
  /** The bundled ES module. */
  code: Uint8Array;
  /** The first 12 hex digits of the bundle's SHA-256: what the plan and status show. */
  hash: string;
  /** The module's default export, loaded in this process (what backtest runs). */
  strategy: Strategy;
}

/** A file that is not a strategy: one line, the compiler's or the contract's first complaint. */
export class StrategyFileError extends Error {
  override readonly name = 'StrategyFileError';
}

const bundles = new Map<string, Promise<StrategyBundle>>();

/**
 * Bundles, loads and checks the file, once per path and content in a process: setup asks at parse
 * and again at deploy, and gets the same bundle unless the file was edited in between.
 */
export function bundleStrategyFile(path: string, cwd = process.cwd()): Promise<StrategyBundle> {
  const file = resolve(cwd, path);
  let source = '';
  try {
    source = createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    // Missing or unreadable: bundleAndLoad says which.
  }
  const key = `${file}\0${source}`;
  let pending = bundles.get(key);
  if (!pending) {
    pending = bundleAndLoad(file);
    bundles.set(key, pending);
  }
  return pending;
}

async function bundleAndLoad(file: string): Promise<StrategyBundle> {
  const label = basename(file);
  if (!(STRATEGY_FILE_EXTENSIONS as readonly string[]).includes(extname(file))) {
    throw new StrategyFileError(`${label}: a strategy file ends in ${STRATEGY_FILE_EXTENSIONS.join(', ')}`);
  }
  if (!existsSync(file) || !statSync(file).isFile()) throw new StrategyFileError(`${file}: no such file`);
  const code = await bundle(file);
  let exported: unknown;
  try {
    const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as {
      default?: unknown;
    };
    exported = module.default;
  } catch (error) {
    throw new StrategyFileError(`${label}: loading it failed: ${describeError(error)}`);
  }
  const problem = strategyShapeProblem(exported);
  if (problem) throw new StrategyFileError(`${label}: ${problem}`);
  const strategy = exported as Strategy;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 12);
  return { file, name: strategy.name, history: strategy.history, code, hash, strategy };
}

async function bundle(file: string): Promise<Uint8Array> {
  try {
    const result = await build({
      // Paths in the bundle's comments are relative to the file's folder: the same file bundles
      // to the same bytes wherever the folder is.
      absWorkingDir: dirname(file),
      entryPoints: [file],
      outfile: STRATEGY_MODULE,
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      mainFields: ['module', 'main'],
      plugins: [nodeBuiltins],
      legalComments: 'none',
      charset: 'utf8',
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (!output) throw new StrategyFileError(`${basename(file)}: esbuild produced no output`);
    return output.contents;
  } catch (error) {
    if (error instanceof StrategyFileError) throw error;
    throw new StrategyFileError(firstCompilerMessage(error, file));
  }
}

/** esbuild's first error as `file:line:column: text`, as a compiler prints it. */
function firstCompilerMessage(error: unknown, file: string): string {
  const first = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] })
    .errors?.[0];
  if (!first) return `${basename(file)}: ${describeError(error)}`;
  const where = first.location
    ? `${first.location.file}:${first.location.line}:${first.location.column + 1}`
    : basename(file);
  return `${where}: ${first.text}`;
}

/** The trends package with the strategy beside its handler: deterministic, so its CodeSha256 is stable. */
export async function trendsZipWithStrategy(
  base: Uint8Array,
  strategy: Pick<StrategyBundle, 'code'>,
): Promise<{ bytes: Uint8Array; sha256: string }> {
  const entries = unzip(base).filter((entry) => entry.name !== STRATEGY_MODULE);
  if (!entries.some((entry) => entry.name === LAMBDA_ENTRY_FILE)) {
    throw new Error(`the trends package has no ${LAMBDA_ENTRY_FILE}`);
  }
  const bytes = await deterministicZip([...entries, { name: STRATEGY_MODULE, content: strategy.code }]);
  return { bytes, sha256: codeSha256(bytes) };
}
