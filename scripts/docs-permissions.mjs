// Rewrites the permissions block of docs/aws.md from src/pipeline/permissions.ts (built to dist/).
import { readFileSync, writeFileSync } from 'node:fs';
import { withPermissionsDoc } from '../dist/pipeline/permissions-doc.js';

const path = new URL('../docs/aws.md', import.meta.url);
const updated = withPermissionsDoc(readFileSync(path, 'utf8'));
if (updated === undefined) {
  console.error('docs/aws.md has no permissions block (the markers of src/pipeline/permissions-doc.ts)');
  process.exit(1);
}
writeFileSync(path, updated);
