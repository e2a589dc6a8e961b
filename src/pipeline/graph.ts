/**
 * Walks a dependency graph: forward (a node after everything it depends on) for setup, backward
 * (a node after everything that depends on it) for cleanup. Every node whose prerequisites are
 * done runs at once; when a node fails, everything waiting on it is skipped and the rest carries on.
 */

export interface GraphNode {
  id: string;
  dependsOn: readonly string[];
}

export type Direction = 'forward' | 'backward';

export type NodeResult<R> =
  | { state: 'done'; value: R; elapsedMs: number }
  | { state: 'failed'; error: unknown; elapsedMs: number }
  | { state: 'skipped'; blockedBy: string };

export interface WalkHooks<N, R> {
  onStart?(node: N): void;
  onDone?(node: N, value: R, elapsedMs: number): void;
  onFail?(node: N, error: unknown, elapsedMs: number): void;
  onSkip?(node: N, blockedBy: string): void;
}

/** Once aborted, nothing new starts: what is running finishes, the rest is skipped as 'interrupted'. */
export const INTERRUPTED = 'interrupted';

/** Throws on an unknown dependency or a cycle: a graph bug, never a runtime condition. */
export function checkGraph(nodes: readonly GraphNode[]): void {
  const ids = new Set(nodes.map((node) => node.id));
  if (ids.size !== nodes.length) throw new Error('resource graph: duplicate node ids');
  for (const node of nodes) {
    for (const dependency of node.dependsOn) {
      if (!ids.has(dependency)) throw new Error(`resource graph: ${node.id} depends on unknown ${dependency}`);
    }
  }
  const order = topologicalOrder(nodes);
  if (order.length !== nodes.length) throw new Error('resource graph: dependency cycle');
}

/** Nodes in an order where every node comes after its dependencies (Kahn; stable by input order). */
export function topologicalOrder<N extends GraphNode>(nodes: readonly N[]): N[] {
  const placed = new Set<string>();
  const order: N[] = [];
  let progress = true;
  while (progress && order.length < nodes.length) {
    progress = false;
    for (const node of nodes) {
      if (!placed.has(node.id) && node.dependsOn.every((dependency) => placed.has(dependency))) {
        placed.add(node.id);
        order.push(node);
        progress = true;
      }
    }
  }
  return order;
}

export async function walkGraph<N extends GraphNode, R>(
  nodes: readonly N[],
  direction: Direction,
  visit: (node: N) => Promise<R>,
  hooks: WalkHooks<N, R> = {},
  signal?: AbortSignal,
  now: () => number = () => performance.now(),
): Promise<Map<string, NodeResult<R>>> {
  checkGraph(nodes);
  const prerequisites = new Map<string, string[]>();
  for (const node of nodes) prerequisites.set(node.id, []);
  for (const node of nodes) {
    for (const dependency of node.dependsOn) {
      if (direction === 'forward') prerequisites.get(node.id)?.push(dependency);
      else prerequisites.get(dependency)?.push(node.id);
    }
  }

  const results = new Map<string, NodeResult<R>>();
  const running = new Set<string>();

  return new Promise((resolve) => {
    const schedule = () => {
      let changed = true;
      // Skips can cascade, so settle them before starting anything.
      while (changed) {
        changed = false;
        for (const node of nodes) {
          if (results.has(node.id) || running.has(node.id)) continue;
          const before = prerequisites.get(node.id) ?? [];
          const blocker = before.find((id) => {
            const result = results.get(id);
            return result !== undefined && result.state !== 'done';
          });
          if (blocker !== undefined) {
            results.set(node.id, { state: 'skipped', blockedBy: blocker });
            hooks.onSkip?.(node, blocker);
            changed = true;
            continue;
          }
          if (!before.every((id) => results.get(id)?.state === 'done')) continue;
          if (signal?.aborted) {
            results.set(node.id, { state: 'skipped', blockedBy: INTERRUPTED });
            hooks.onSkip?.(node, INTERRUPTED);
            changed = true;
          } else {
            start(node);
          }
        }
      }
      if (running.size === 0 && results.size === nodes.length) resolve(results);
    };

    const start = (node: N) => {
      running.add(node.id);
      hooks.onStart?.(node);
      const began = now();
      Promise.resolve()
        .then(() => visit(node))
        .then(
          (value) => {
            const elapsedMs = now() - began;
            running.delete(node.id);
            results.set(node.id, { state: 'done', value, elapsedMs });
            hooks.onDone?.(node, value, elapsedMs);
            schedule();
          },
          (error: unknown) => {
            const elapsedMs = now() - began;
            running.delete(node.id);
            results.set(node.id, { state: 'failed', error, elapsedMs });
            hooks.onFail?.(node, error, elapsedMs);
            schedule();
          },
        );
    };

    schedule();
  });
}
