/** How the demo talks: a live status line (or plain lines off a terminal) and the final report. */
import { formatDuration } from '../../core/duration.ts';
import type { AlertRecord } from '../../core/tables.ts';
import type { ResultValue } from '../../query/runner.ts';
import { type IO, terminalWidth } from '../../ui/io.ts';
import { renderTable } from '../../ui/table.ts';
import { type PipelineAddress, suggest } from '../shared/pipeline-flags.ts';
import type { Percentiles } from './measure.ts';

export interface DemoReport {
  pipeline: string;
  duration_ms: number;
  symbols: string[];
  /** Records put on the stream: synthetic events plus the malformed ones. */
  produced: number;
  /** Quote items in DynamoDB. */
  ingested: number;
  /** Records the ingest function quarantined in the lake. */
  quarantined: number;
  /** Observations replaced by a later one of the same symbol and timestamp (counted once as ingested). */
  superseded: number;
  /** Events the producer gave up on after its retries. */
  failed_to_send: number;
  /** The pipeline caught up before the drain timeout. */
  drained: boolean;
  alerts: AlertRecord[];
  latency_ms: { event_to_store: Percentiles; event_to_alert: Percentiles };
  top_movers: Record<string, ResultValue>[];
  kept: boolean;
  /** The local stack was stopped and its folder removed (no other local pipeline was left on it). */
  stack_stopped: boolean;
  /** Ctrl+C ended the streaming before --duration. */
  stopped_early: boolean;
}

export function printReport(io: IO, report: DemoReport, complete: boolean, invocation = 'stockpipe'): void {
  const { style } = io;
  const count = (n: number) => String(n).padStart(7);
  const ms = (value: number | null) => (value === null ? '—' : formatDuration(value));
  const bySignal = (signal: string) => report.alerts.filter((alert) => alert.signal === signal).length;
  const store = report.latency_ms.event_to_store;
  const alert = report.latency_ms.event_to_alert;
  io.out('');
  const ended = report.stopped_early ? 'Demo stopped early (Ctrl+C)' : 'Demo finished';
  io.out(`${style.bold(ended)} in ${formatDuration(report.duration_ms)} — pipeline ${report.pipeline}`);
  io.out(`  produced    ${count(report.produced)}  records on the stream (${report.symbols.join(', ')})`);
  io.out(`  ingested    ${count(report.ingested)}  quotes in DynamoDB and the raw lake`);
  io.out(`  quarantined ${count(report.quarantined)}  invalid records kept with their reason under quarantine/`);
  io.out(`  superseded  ${count(report.superseded)}  replaced by a later write of the same symbol and time`);
  io.out(
    `  alerts      ${count(report.alerts.length)}  ${style.green(`BUY ${bySignal('BUY')}`)} · ${style.red(`SELL ${bySignal('SELL')}`)}${bySignal('ANOMALY') ? ` · ANOMALY ${bySignal('ANOMALY')}` : ''} (15 min cooldown per symbol and signal)`,
  );
  // One line each: together they are wider than a terminal.
  io.out(`  latency     event → stored p50 ${ms(store.p50)}, p99 ${ms(store.p99)}`);
  io.out(`              event → alert  p50 ${ms(alert.p50)}, p99 ${ms(alert.p99)}`);
  io.out(
    complete
      ? style.green(`  nothing lost: produced = ingested + quarantined + superseded`)
      : style.red(
          `  MISSING: produced ≠ ingested + quarantined + superseded${report.drained ? '' : ' (the pipeline did not catch up in time)'}`,
        ),
  );
  if (report.top_movers.length > 0) {
    io.out('');
    io.out(`${style.bold('Top movers')} ${style.dim('(SQL over the lake, by DuckDB: the top-movers query)')}`);
    const columns = Object.keys(report.top_movers[0] ?? {}).map((name) => ({
      name,
      numeric: report.top_movers.every((row) => row[name] === null || typeof row[name] === 'number'),
    }));
    io.out(
      renderTable(
        columns,
        report.top_movers.map((row) => columns.map((column) => row[column.name] as never)),
        style,
        { width: terminalWidth(io) },
      ),
    );
  }
  io.out('');
  const run = (
    command: string,
    ref: PipelineAddress = { name: report.pipeline, targetFlags: ' --target local', invocation },
  ) => suggest(ref, command);
  if (report.kept) {
    io.out(`Kept running. Try: ${run('query top-movers')} · ${run('alerts')} · ${run('tail')}`);
    io.out(`Remove it with: ${run('cleanup --yes')}`);
  } else {
    io.out(
      style.dim(
        report.stack_stopped
          ? 'Cleaned up: the pipeline and the local stack are gone (keep them with --keep).'
          : 'Cleaned up: the demo pipeline is gone (keep it with --keep).\nThe local stack keeps running: other local pipelines use it.',
      ),
    );
  }
  const aws: PipelineAddress = { name: 'stockpipe', invocation };
  io.out(`Same pipeline on AWS: ${run('setup', aws)}, then ${run('stream --symbol AAPL', aws)} (see README).`);
}
