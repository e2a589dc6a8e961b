import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectUsageError, runCli } from '../../helpers/cli.ts';

// No endpoint, no credentials: any network call would fail with exit 1, never 2.
const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };

describe('bad input exits 2 with one line, before any network call', () => {
  for (const [argv, pattern] of [
    [
      ['query', 'nope'],
      /^error: unknown query 'nope': use one of top-movers, avg-volume, anomalies, latest, history, or sql "<SQL>"\n$/,
    ],
    [['query', 'sql', ''], /^error: the SQL statement is empty\n$/],
    [['query', 'latest', '--since', '-5m'], /^error: invalid --since '-5m': it cannot be negative\n$/],
    [['query', 'latest', '--since', 'soon'], /^error: invalid --since 'soon'/],
  ] as const) {
    it(argv.join(' '), () => expectUsageError(argv, pattern, { env }));
  }
});

describe('names AWS reserves are refused with exit 2 and one line, before any network call', () => {
  for (const [name, why] of [
    ['primary', /the account's default Athena workgroup/],
    ['sthree-x', /S3 reserves bucket names starting with 'sthree-'/],
    ['amzn-s3-demo-x', /S3 reserves bucket names starting with 'amzn-s3-demo-'/],
  ] as const) {
    it(`setup --name ${name}`, async () => {
      const { code, stdout, stderr } = await runCli(['setup', '--name', name], { env });
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, new RegExp(`^error: --name: invalid pipeline name '${name}': `));
      assert.match(stderr, why);
      assert.equal(stderr.trimEnd().split('\n').length, 1);
    });
  }
});

describe('tail bad input exits 2 with one line', () => {
  for (const [argv, pattern] of [
    [['tail', 'ingset'], /^error: unknown function 'ingset': use ingest, trends or all\n$/],
    [['tail', '--since', '-1h'], /^error: invalid --since '-1h': it cannot be negative\n$/],
    [['tail', '--since', 'later'], /^error: invalid --since 'later'/],
  ] as const) {
    it(argv.join(' '), () => expectUsageError(argv, pattern, { env }));
  }
});

describe('bounds on input (issue 16): exit 2 with one line, no hang, no unbounded read', () => {
  for (const [argv, pattern] of [
    [
      ['query', 'latest', '--since', '99999999d'],
      /^error: invalid --since '99999999d': at most 36500d \(100 years\) back/,
    ],
    [['tail', '--since', '99999999d'], /^error: invalid --since '99999999d': at most 36500d \(100 years\) back/],
    [['--config', '/dev/zero', 'status'], /^error: cannot read config file \/dev\/zero: not a regular file\n$/],
    [
      ['stream', '--symbols-file', '/dev/zero', '--dry-run'],
      /^error: cannot read --symbols-file \/dev\/zero: not a regular file\n$/,
    ],
    [['query', 'sql', '--file', '/dev/zero'], /^error: cannot read --file \/dev\/zero: not a regular file\n$/],
    [['query', 'sql', '--file', '.'], /^error: cannot read --file \.: not a regular file\n$/],
    [['watch', '--symbol', 'AAPL', '--interval', '30d'], /^error: --interval must be at most 1d\n$/],
  ] as const) {
    it(argv.join(' '), () => expectUsageError(argv, pattern, { env }));
  }

  it('a file larger than its limit is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stockpipe-big-'));
    try {
      const file = join(dir, 'big.sql');
      writeFileSync(file, `SELECT 1 ${' '.repeat(300 * 1024)}`);
      const { code, stderr } = await runCli(['query', 'sql', '--file', file], { env });
      assert.equal(code, 2);
      assert.match(stderr, /more than the 262144 allowed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
