import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkGraph, type GraphNode, walkGraph } from '../../../src/pipeline/graph.ts';

const node = (id: string, ...dependsOn: string[]): GraphNode => ({ id, dependsOn });

/** A random DAG: node i may depend only on nodes before it. */
const dagArb = fc.integer({ min: 1, max: 12 }).chain((size) =>
  fc
    .tuple(
      ...Array.from({ length: size }, (_, i) =>
        fc.subarray(
          Array.from({ length: i }, (_, j) => `n${j}`),
          { minLength: 0 },
        ),
      ),
    )
    .map((deps) => deps.map((dependsOn, i) => node(`n${i}`, ...dependsOn))),
);

describe('walkGraph', () => {
  it('forward: every node runs after its dependencies; backward: after its dependents', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb, fc.constantFrom('forward' as const, 'backward' as const), async (nodes, direction) => {
        const finished: string[] = [];
        await walkGraph(nodes, direction, async (n) => {
          await new Promise((resolve) => setImmediate(resolve));
          finished.push(n.id);
        });
        assert.equal(finished.length, nodes.length);
        for (const n of nodes) {
          for (const dependency of n.dependsOn) {
            const before = direction === 'forward' ? dependency : n.id;
            const afterId = direction === 'forward' ? n.id : dependency;
            assert.ok(finished.indexOf(before) < finished.indexOf(afterId), `${before} before ${afterId}`);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a failure skips exactly the nodes that (transitively) wait on it; the rest still run', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb, fc.nat(), async (nodes, pick) => {
        const failing = nodes[pick % nodes.length]?.id as string;
        const results = await walkGraph(nodes, 'forward', async (n) => {
          if (n.id === failing) throw new Error('boom');
          return n.id;
        });
        // Expected: descendants of the failing node are skipped.
        const blocked = new Set<string>();
        let grew = true;
        while (grew) {
          grew = false;
          for (const n of nodes) {
            if (!blocked.has(n.id) && n.dependsOn.some((d) => d === failing || blocked.has(d))) {
              blocked.add(n.id);
              grew = true;
            }
          }
        }
        for (const n of nodes) {
          const state = results.get(n.id)?.state;
          if (n.id === failing) assert.equal(state, 'failed');
          else if (blocked.has(n.id)) assert.equal(state, 'skipped', n.id);
          else assert.equal(state, 'done', n.id);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('runs independent nodes at the same time', async () => {
    let running = 0;
    let peak = 0;
    const nodes = [node('a'), node('b'), node('c'), node('d', 'a', 'b', 'c')];
    await walkGraph(nodes, 'forward', async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    });
    assert.equal(peak, 3);
  });

  it('reports start, done, fail and skip to its hooks', async () => {
    const events: string[] = [];
    await walkGraph(
      [node('a'), node('b', 'a'), node('c', 'b')],
      'forward',
      async (n) => {
        if (n.id === 'a') throw new Error('no');
      },
      {
        onStart: (n) => events.push(`start ${n.id}`),
        onFail: (n) => events.push(`fail ${n.id}`),
        onSkip: (n, by) => events.push(`skip ${n.id} by ${by}`),
      },
    );
    assert.deepEqual(events, ['start a', 'fail a', 'skip b by a', 'skip c by b']);
  });

  it('rejects unknown dependencies and cycles', () => {
    assert.throws(() => checkGraph([node('a', 'ghost')]), /unknown ghost/);
    assert.throws(() => checkGraph([node('a', 'b'), node('b', 'a')]), /cycle/);
    assert.throws(() => checkGraph([node('a'), node('a')]), /duplicate/);
  });
});

describe('walkGraph interrupted', () => {
  it('after the signal, running nodes finish and nothing new starts', async () => {
    const controller = new AbortController();
    const visited: string[] = [];
    const results = await walkGraph(
      [node('a'), node('b', 'a'), node('c', 'b')],
      'forward',
      async (n) => {
        visited.push(n.id);
        if (n.id === 'a') controller.abort();
      },
      {},
      controller.signal,
    );
    assert.deepEqual(visited, ['a']);
    assert.equal(results.get('a')?.state, 'done');
    assert.deepEqual(results.get('b'), { state: 'skipped', blockedBy: 'interrupted' });
    assert.equal(results.get('c')?.state, 'skipped');
  });
});
