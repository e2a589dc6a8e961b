import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import stringWidth from 'string-width';
import { describeStrategy, type StrategyConfig } from '../../core/strategies/index.ts';
import { stateFilePath } from '../../pipeline/state-file.ts';
import type { ResolvedSettings } from '../../settings/resolve.ts';
import type { IO } from '../../ui/io.ts';

export interface ConfigDeps {
  io: IO;
  resolved: ResolvedSettings;
  configFile?: string;
  /** Where setup's state file (.stockpipe/<name>.json) is looked for. */
  cwd?: string;
}

export async function runConfig({ io, resolved, configFile, cwd }: ConfigDeps): Promise<number> {
  const deployed = cwd ? deployedStrategy(cwd, resolved.name.value) : undefined;
  if (io.json) {
    const settings = Object.fromEntries(
      Object.entries(resolved).map(([key, setting]) => [key, { ...setting, value: setting.value ?? null }]),
    );
    io.outJson({ configFile: configFile ?? null, settings, ...(deployed ? { deployed } : {}) });
    return 0;
  }
  const rows = Object.entries(resolved).map(([key, setting]) => {
    const value = setting.value === undefined ? io.style.dim('(AWS SDK default chain)') : String(setting.value);
    const where = setting.origin ? `${setting.source} (${setting.origin})` : setting.source;
    return { key, value, where };
  });
  if (deployed) {
    rows.push({
      key: 'strategy',
      value: describeStrategy(deployed.strategy),
      where: `last setup (${relative(cwd ?? '.', deployed.stateFile)})`,
    });
  }
  const keyWidth = Math.max(...rows.map((row) => row.key.length));
  const valueWidth = Math.max(...rows.map((row) => visibleLength(row.value)));
  for (const row of rows) {
    const padding = ' '.repeat(valueWidth - visibleLength(row.value));
    io.out(`${row.key.padEnd(keyWidth)}  ${row.value}${padding}  ${io.style.dim(row.where)}`);
  }
  io.err(
    io.style.dim(configFile ? `config file: ${configFile}` : 'config file: none (stockpipe.config.json not found)'),
  );
  return 0;
}

/** The strategy the last setup of this pipeline deployed from this folder (its state file), if any. */
function deployedStrategy(cwd: string, name: string): { strategy: StrategyConfig; stateFile: string } | undefined {
  const stateFile = stateFilePath(cwd, name);
  try {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { settings?: { strategy?: StrategyConfig } };
    const strategy = state.settings?.strategy;
    return strategy && typeof strategy.name === 'string' ? { strategy, stateFile } : undefined;
  } catch {
    return undefined; // no setup here yet, or a file we did not write
  }
}

/** Columns on screen: colour codes take none, a wide character two. */
function visibleLength(text: string): number {
  return stringWidth(text);
}
