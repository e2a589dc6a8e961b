import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NO_LOCAL_STATE } from '../../../src/local/target.ts';
import { runCli, visibleWidth } from '../../helpers/cli.ts';
import { waitFor } from '../../helpers/wait.ts';
import { freshWorkdir } from './harness.ts';

// Every lifecycle command against the local target, as a person would type them.
describe('the local target: setup → stream → query, tail, status → cleanup', () => {
  const { cwd, dispose } = freshWorkdir('local-life');
  const local = (...argv: string[]) => runCli([...argv, '--target', 'local'], { cwd });
  after(dispose);

  it('in a folder where no local stack ever ran, only setup starts one', async () => {
    const nothingLocal = () => assert.equal(existsSync(join(cwd, '.stockpipe')), false, 'no stack, no folder');

    const status = await local('status');
    assert.equal(status.code, 1, status.stderr);
    // No `stockpipe` on PATH here: suggestions say `npx stockpipe`, which works after `npm ci`.
    assert.match(status.stdout, /Next: create it with `npx stockpipe setup --target local`\./);
    const described = JSON.parse((await local('status', '--json')).stdout);
    assert.ok(described.resources.every((resource: { presence: string }) => resource.presence === 'missing'));
    nothingLocal();

    const cleanup = await local('cleanup', '--yes');
    assert.equal(cleanup.code, 0, cleanup.stderr);
    assert.match(cleanup.stdout, /^Nothing to clean up/);
    assert.doesNotMatch(cleanup.stderr, /Local stack stopped/);

    // stream checks its flags and file first, then finds no stack here.
    const stream = await local('stream', '--source', 'synthetic', '--symbol', 'AAPL', '--count', '1');
    assert.equal(stream.code, 1);
    assert.equal(stream.stderr, `error: ${NO_LOCAL_STATE.replaceAll('`stockpipe ', '`npx stockpipe ')}\n`);
    // Every command that reads a pipeline says the same of a missing one, with the command that creates it.
    for (const argv of [['alerts'], ['tail'], ['query', 'top-movers'], ['watch', '--symbol', 'AAPL'], ['compact']]) {
      const result = await local(...argv);
      assert.equal(result.code, 1, argv.join(' '));
      assert.equal(
        result.stderr,
        'error: there is no pipeline stockpipe in the local target here (.stockpipe/local): create it with `npx stockpipe setup --target local`\n',
        argv.join(' '),
      );
    }
    const named = await local('query', 'latest', '--name', 'nosuch');
    assert.match(named.stderr, /create it with `npx stockpipe setup --name nosuch --target local`\n$/);
    nothingLocal();

    const plan = await local('setup', '--dry-run');
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /Plan: 5 to create/);
    nothingLocal();
  });

  it('builds, feeds, answers, describes and removes a local pipeline, leaving nothing', async () => {
    const setup = await local('setup', '--json');
    assert.equal(setup.code, 0, setup.stderr);
    const created = JSON.parse(setup.stdout);
    assert.deepEqual(
      created.resources.map((resource: { id: string; state: string }) => `${resource.id}:${resource.state}`).sort(),
      ['alerts-table:created', 'local-runner:created', 'quotes-table:created', 'raw-bucket:created', 'stream:created'],
    );
    const again = await local('setup');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout + again.stderr, /up to date/);

    const stream = await local(
      'stream',
      '--source',
      'synthetic',
      '--symbol',
      'AAPL',
      '--symbol',
      'MSFT',
      '--interval',
      '0',
      '--count',
      '200',
    );
    assert.equal(stream.code, 0, stream.stderr);

    // The lake fills as the local runner's ingest function works through the stream.
    let rows = 0;
    await waitFor(
      async () => {
        const query = await local('query', 'sql', 'SELECT count(*) AS n FROM stock_data_table', '--format', 'json');
        assert.equal(query.code, 0, query.stderr);
        rows = Number(JSON.parse(query.stdout)[0]?.n ?? 0);
        return rows >= 200;
      },
      'the lake to hold 200 rows',
      { intervalMs: 250 },
    ).catch(() => undefined); // the assertion below names what was missing
    assert.equal(rows, 200, 'every event reached the lake exactly once');

    // At a terminal of 60 or 120 columns no line is wider than it: tables cut text or turn
    // vertical, long lines wrap.
    for (const columns of [60, 120]) {
      for (const argv of [['query', 'sql', 'SELECT * FROM stock_data_table LIMIT 10'], ['status']]) {
        const shown = await runCli([...argv, '--target', 'local'], { cwd, tty: true, columns });
        assert.equal(shown.code, 0, shown.stderr);
        const lines = shown.stdout.trimEnd().split('\n');
        assert.ok(lines.length >= 3, shown.stdout);
        const widest = Math.max(...lines.map(visibleWidth));
        assert.ok(widest <= columns, `${argv.join(' ')} at ${columns} columns: a line of ${widest}\n${shown.stdout}`);
      }
    }

    const movers = await local('query', 'top-movers', '--format', 'json');
    assert.equal(movers.code, 0, movers.stderr);
    // One row per symbol, its largest move: two symbols streamed, two movers.
    assert.deepEqual(
      JSON.parse(movers.stdout)
        .map((row: { symbol: string }) => row.symbol)
        .sort(),
      ['AAPL', 'MSFT'],
    );

    const nothing = await local('tail', '--since', '10m', '--filter', 'NO-SUCH-TEXT');
    assert.equal(nothing.code, 0, nothing.stderr);
    assert.equal(nothing.stdout, '');
    assert.match(nothing.stderr, /^no log events of ingest or trends since \S+ matching NO-SUCH-TEXT/);

    const tail = await local('tail', '--since', '10m', '--format', 'json');
    assert.equal(tail.code, 0, tail.stderr);
    const functions = new Set(
      tail.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).function),
    );
    assert.ok(functions.has('ingest'), `tail saw ${[...functions].join(', ')}`);

    const status = await local('status', '--json');
    assert.equal(status.code, 0, status.stderr);
    const described = JSON.parse(status.stdout);
    assert.equal(described.activity.recordsLastHour, 200);
    assert.deepEqual(described.activity.ingestedLastHour, { stored: 200, quarantined: 0, superseded: 0 });
    assert.ok(described.resources.every((resource: { presence: string }) => resource.presence === 'present'));

    // Ctrl+C at the confirmation: a choice, not a failure — exit 130, and nothing is deleted.
    const controller = new AbortController();
    const cancelled = await runCli(['cleanup', '--target', 'local'], {
      cwd,
      tty: true,
      signal: controller.signal,
      onStderr: (soFar) => {
        if (soFar.includes('to confirm')) controller.abort('SIGINT');
      },
    });
    assert.equal(cancelled.code, 130, cancelled.stderr);
    assert.match(cancelled.stderr, /Cancelled — nothing was changed\n$/);
    assert.equal((await local('status')).code, 0, 'the pipeline is still whole');

    const cleanup = await local('cleanup', '--yes');
    assert.equal(cleanup.code, 0, cleanup.stderr);
    assert.equal(existsSync(join(cwd, '.stockpipe')), false, 'the last cleanup stops the stack and removes its folder');
    const twice = await local('cleanup', '--yes');
    assert.equal(twice.code, 0, twice.stderr);
    assert.match(twice.stdout, /^Nothing to clean up/);
    assert.equal(existsSync(join(cwd, '.stockpipe')), false, 'a second cleanup starts nothing and leaves nothing');
  });
});
