/**
 * A zip whose bytes depend only on its entries: fixed entry date, fixed mode, entries sorted by
 * name, fixed compression level. An unchanged bundle therefore keeps its CodeSha256, and setup
 * can skip the upload.
 */
import { ZipArchive } from 'archiver';

export interface ZipEntry {
  name: string;
  content: Uint8Array | string;
}

/** 1980-01-01 00:00 UTC: the earliest date a zip (DOS) timestamp can hold. */
export const ZIP_ENTRY_DATE = new Date('1980-01-01T00:00:00.000Z');
/** rw-r--r--: Lambda only needs to read the files. */
export const ZIP_ENTRY_MODE = 0o644;

export async function deterministicZip(entries: readonly ZipEntry[]): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: 9 } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    archive.on('data', (chunk: Buffer) => chunks.push(chunk));
    archive.on('end', () => resolve(Buffer.concat(chunks)));
    archive.on('error', reject);
    archive.on('warning', reject);
  });
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of sorted) {
    const content = typeof entry.content === 'string' ? Buffer.from(entry.content) : Buffer.from(entry.content);
    archive.append(content, { name: entry.name, date: ZIP_ENTRY_DATE, mode: ZIP_ENTRY_MODE });
  }
  await archive.finalize();
  return done;
}
