/**
 * The local stack's own access key: made once per state folder, kept in `credentials.json`
 * (readable by its owner only, like the rest of the folder), and the only key its endpoints answer
 * (src/local/daemon/sigv4.ts). Another process or user on the machine cannot read or delete the
 * pipeline's data without it. `stockpipe local env` prints it for one's own producers.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessKey } from './daemon/sigv4.ts';
import { writeJsonAtomic } from './files.ts';
import type { LocalPaths } from './paths.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomText(length: number, alphabet: string): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

export function stackKeyFile(paths: LocalPaths): string {
  return join(paths.root, 'credentials.json');
}

/** The stack's key, made on first use: an id like AWS's (LKIA + 16) and a 40-character secret. */
export function loadOrCreateStackKey(paths: LocalPaths): AccessKey {
  const file = stackKeyFile(paths);
  if (existsSync(file)) {
    const key = JSON.parse(readFileSync(file, 'utf8')) as Partial<AccessKey>;
    if (typeof key.accessKeyId === 'string' && typeof key.secretAccessKey === 'string') {
      return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    }
  }
  const key: AccessKey = {
    accessKeyId: `LKIA${randomText(16, ALPHABET)}`,
    secretAccessKey: randomBytes(30).toString('base64').replace(/[+/]/g, 'x'),
  };
  writeJsonAtomic(file, key);
  return key;
}
