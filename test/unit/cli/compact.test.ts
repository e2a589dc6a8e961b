import { describe, it } from 'node:test';
import { expectUsageError } from '../../helpers/cli.ts';

const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };

describe('compact bad input exits 2 with one line, before any network call', () => {
  for (const [argv, pattern] of [
    [['compact', '--before', '2026'], /^error: invalid --before '2026': use a month as YYYY-MM/],
    [['compact', '--before', '9999-01'], /^error: invalid --before '9999-01': months from /],
  ] as const) {
    it(argv.join(' '), () => expectUsageError(argv, pattern, { env }));
  }
});
