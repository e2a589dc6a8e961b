import stringWidth from 'string-width';
import type { ResolvedSettings } from '../../settings/resolve.ts';
import type { IO } from '../../ui/io.ts';

export interface ConfigDeps {
  io: IO;
  resolved: ResolvedSettings;
  configFile?: string;
}

export async function runConfig({ io, resolved, configFile }: ConfigDeps): Promise<number> {
  if (io.json) {
    const settings = Object.fromEntries(
      Object.entries(resolved).map(([key, setting]) => [key, { ...setting, value: setting.value ?? null }]),
    );
    io.outJson({ configFile: configFile ?? null, settings });
    return 0;
  }
  const rows = Object.entries(resolved).map(([key, setting]) => {
    const value = setting.value === undefined ? io.style.dim('(AWS SDK default chain)') : String(setting.value);
    const where = setting.origin ? `${setting.source} (${setting.origin})` : setting.source;
    return { key, value, where };
  });
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

/** Columns on screen: colour codes take none, a wide character two. */
function visibleLength(text: string): number {
  return stringWidth(text);
}
