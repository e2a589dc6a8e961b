import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';

describe('stream summary at 80 columns (issue 30)', () => {
  it('one line within 80 columns: retried left out at 0', async () => {
    const { code, stderr } = await runCli([
      'stream',
      '--source',
      'synthetic',
      '--symbol',
      'AAPL',
      '--dry-run',
      '--count',
      '2',
      '--interval',
      '1s',
    ]);
    assert.equal(code, 0, stderr);
    const summary = stderr.trimEnd().split('\n').at(-1) ?? '';
    assert.match(summary, /^printed 2 · failed 0 · \d+\.\d events\/s over .* \(--count 2 reached\)$/);
    assert.ok(summary.length <= 80, summary);
  });
});
