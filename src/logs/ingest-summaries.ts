/**
 * The ingest function logs one summary per invocation (lambdas/ingest/ingest.ts): what it received
 * and how each record ended. Summed over a time range, they say where the records went — the
 * local target's answer to the metrics CloudWatch keeps on AWS.
 */
export interface IngestOutcomes {
  stored: number;
  quarantined: number;
  superseded: number;
}

/** The summaries in `logText` (JSON lines) logged at or after `since` (epoch ms), summed. */
export function ingestSummaries(logText: string, since: number): IngestOutcomes {
  const total: IngestOutcomes = { stored: 0, quarantined: 0, superseded: 0 };
  for (const line of logText.split('\n')) {
    // Only summaries carry the superseded count; skip the rest without parsing them.
    if (!line.includes('"superseded"')) continue;
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (typeof entry.timestamp === 'string' && Date.parse(entry.timestamp) < since) continue;
      for (const key of ['stored', 'quarantined', 'superseded'] as const) {
        const value = entry[key];
        if (typeof value === 'number') total[key] += value;
      }
    } catch {
      // Not a summary line.
    }
  }
  return total;
}

/**
 * The end of a JSON-lines log file back to the first line logged before `since`: the last hour of
 * a log that has run for weeks, without reading the weeks. Lines are in time order.
 */
export async function readLogSince(file: string, since: number, chunkBytes = 1 << 20): Promise<string> {
  const { open } = await import('node:fs/promises');
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    let start = size;
    let text = '';
    while (start > 0) {
      start = Math.max(0, start - chunkBytes);
      const buffer = Buffer.alloc(Math.min(chunkBytes, size - start));
      await handle.read(buffer, 0, buffer.length, start);
      text = buffer.toString('utf8') + text;
      // The first whole line of what was read: once it is older than `since`, so is all before it.
      const firstLine = start === 0 ? text.slice(0, text.indexOf('\n')) : text.split('\n', 2)[1];
      const logged = /"(?:timestamp|time)":"([^"]+)"/.exec(firstLine ?? '')?.[1];
      if (logged && Date.parse(logged) < since) break;
    }
    return text;
  } finally {
    await handle.close();
  }
}
