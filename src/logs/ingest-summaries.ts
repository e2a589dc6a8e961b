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
    // Bytes, decoded once at the end: a chunk may begin inside a multi-byte character.
    let read = Buffer.alloc(0);
    while (start > 0) {
      const end = start;
      start = Math.max(0, start - chunkBytes);
      const chunk = Buffer.alloc(end - start);
      await handle.read(chunk, 0, chunk.length, start);
      read = Buffer.concat([chunk, read]);
      // The first whole line of what was read: once it is older than `since`, so is all before it.
      const newline = read.indexOf(0x0a);
      if (start > 0 && newline < 0) continue;
      const firstLineStart = start === 0 ? 0 : newline + 1;
      const firstLineEnd = read.indexOf(0x0a, firstLineStart);
      const firstLine = read.subarray(firstLineStart, firstLineEnd < 0 ? read.length : firstLineEnd).toString('utf8');
      const logged = /"(?:timestamp|time)":"([^"]+)"/.exec(firstLine)?.[1];
      if (logged && Date.parse(logged) < since) break;
    }
    return read.toString('utf8');
  } finally {
    await handle.close();
  }
}
