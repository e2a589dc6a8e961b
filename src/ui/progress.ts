/**
 * Draws the pipeline's progress events: a live list (spinner + running resources with elapsed
 * time) when a person watches stderr, one plain line per finished resource otherwise, nothing
 * with --json (the command prints its one document at the end).
 */
import type { ProgressEvent, ResourceRef, ResourceState } from '../pipeline/events.ts';
import type { IO } from './io.ts';
import { terminalSpinner } from './spinner.ts';

export interface ProgressRenderer {
  emit(event: ProgressEvent): void;
  /** Stop any live drawing (idempotent). */
  stop(): void;
}

const MARKS: Record<ResourceState, string> = {
  running: '…',
  created: '+',
  updated: '~',
  unchanged: '=',
  deleted: '-',
  absent: '·',
  failed: '✗',
  skipped: '↷',
};

export function formatSeconds(ms: number): string {
  return ms < 100 ? '' : `${(ms / 1000).toFixed(1)}s`;
}

/** One finished resource as a line: mark, state, kind, name, time, detail. */
export function resourceLine(
  io: Pick<IO, 'errStyle'>,
  resource: ResourceRef,
  state: ResourceState,
  elapsedMs?: number,
  detail?: string,
): string {
  const style = io.errStyle;
  const colour =
    state === 'failed'
      ? style.red
      : state === 'skipped'
        ? style.yellow
        : state === 'created' || state === 'updated' || state === 'deleted'
          ? style.green
          : style.dim;
  const time = elapsedMs === undefined ? '' : formatSeconds(elapsedMs);
  const parts = [
    colour(`${MARKS[state]} ${state.padEnd(9)}`),
    resource.kind.padEnd(26),
    resource.name,
    time ? style.dim(time) : '',
    detail ? style.dim(`(${detail})`) : '',
  ];
  return parts.filter(Boolean).join(' ');
}

const isFinal = (state: ResourceState) => state !== 'running';

export function createPlainRenderer(io: IO): ProgressRenderer {
  return {
    emit(event) {
      if (event.type === 'resource' && isFinal(event.state)) {
        io.err(resourceLine(io, event.resource, event.state, event.elapsedMs, event.detail));
      }
    },
    stop() {},
  };
}

export const silentRenderer: ProgressRenderer = { emit() {}, stop() {} };

/** `work` with a progress renderer for `io` that hears its events; the renderer stops however work ends. */
export async function withProgress<T>(io: IO, work: (emit: ProgressRenderer['emit']) => Promise<T>): Promise<T> {
  const renderer = await createProgressRenderer(io);
  try {
    return await work((event) => renderer.emit(event));
  } finally {
    renderer.stop();
  }
}

export async function createProgressRenderer(io: IO): Promise<ProgressRenderer> {
  if (io.json) return silentRenderer;
  // A live list needs a stream that can move the cursor (a real terminal).
  const canRedraw = typeof (io.stderr as { cursorTo?: unknown }).cursorTo === 'function';
  if (!io.isInteractive || !canRedraw) return createPlainRenderer(io);
  const spinner = await terminalSpinner(io);
  const running = new Map<string, { resource: ResourceRef; since: number }>();
  let total = 0;
  let finished = 0;
  let operation = '';
  const render = () => {
    const lines = [...running.values()].map(
      ({ resource, since }) =>
        `${resource.kind} ${resource.name} ${io.errStyle.dim(formatSeconds(performance.now() - since) || '0.0s')}`,
    );
    spinner.text = [`${operation} ${finished}/${total}`, ...lines.map((line) => `  ${line}`)].join('\n');
  };
  const ticker = setInterval(render, 250);
  ticker.unref();
  const stop = () => {
    clearInterval(ticker);
    if (spinner.isSpinning) spinner.stop();
  };
  return {
    emit(event) {
      if (event.type === 'begin') {
        operation = event.operation;
        total = event.resources.length;
        spinner.start();
      } else if (event.type === 'resource') {
        if (event.state === 'running') {
          running.set(event.resource.id, { resource: event.resource, since: performance.now() });
        } else if (isFinal(event.state)) {
          running.delete(event.resource.id);
          finished++;
          spinner.clear();
          io.err(resourceLine(io, event.resource, event.state, event.elapsedMs, event.detail));
        }
        render();
        if (spinner.isSpinning) spinner.render();
      } else if (event.type === 'end') {
        stop();
      }
    },
    stop,
  };
}
