/**
 * Producer throughput into kinesalite on loopback (4 shards, 50 symbols): synthetic events through
 * the batcher (PutRecords, ≤ 500 per call, a few calls in flight) against one PutRecord call per
 * event awaited in turn — the console tutorial's producer — in the same run, on the same emulator.
 *
 * kinesalite runs in its own process, as Kinesis would be, and it is the local stack's kinesalite:
 * with its fast path (src/local/daemon/kinesalite-fast-path.ts), which does on native BigInt the
 * hash-key and sequence arithmetic stock kinesalite does with bignumber.js. The stock_* figures run
 * stock kinesalite the same way, to show what the emulator alone costs; it saturates its core at
 * under 20k records/s, so with it the ratio measures the emulator more than the batcher.
 * producer_cpu_events_per_s is events per CPU-second the producer itself spent on batched sends.
 * Both sides share a 2-core machine with whatever else runs, so figures are noisy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { AwsClients } from '../src/aws/clients.ts';
import type { StockEvent } from '../src/core/event.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../src/local/constants.ts';
import { KinesisBatcher } from '../src/producer/batcher.ts';
import { createSyntheticSource, SYNTHETIC_DEFAULTS } from '../src/producer/synthetic.ts';
import { createStream } from '../test/integration/producer/kinesis-helpers.ts';
import { median, report } from './_report.ts';

const BATCHED_EVENTS = 20_000;
const PUTRECORD_EVENTS = 2_000;
const ROUNDS = 3;
const SYMBOLS = Array.from({ length: 50 }, (_, i) => `SYM${i}`);
const repo = fileURLToPath(new URL('..', import.meta.url));

async function syntheticEvents(total: number): Promise<StockEvent[]> {
  const source = createSyntheticSource({ ...SYNTHETIC_DEFAULTS, symbols: SYMBOLS });
  const events: StockEvent[] = [];
  const signal = new AbortController().signal;
  while (events.length < total) events.push(...(await source.poll(signal)).events);
  return events.slice(0, total);
}

/** CPU the producer process spent on batched sends, to tell its own cost from the emulator's. */
let batchedCpuMicros = 0;
let batchedCpuEvents = 0;

async function batchedRate(kinesis: KinesisClient, stream: string): Promise<number> {
  const events = await syntheticEvents(BATCHED_EVENTS);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const batcher = new KinesisBatcher({ client: kinesis, streamName: stream });
  for (const event of events) await batcher.add(event);
  await batcher.flush();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  batchedCpuMicros += cpu.user + cpu.system;
  batchedCpuEvents += BATCHED_EVENTS;
  if (batcher.stats().sent !== BATCHED_EVENTS) throw new Error(`the batcher sent ${batcher.stats().sent}`);
  return BATCHED_EVENTS / seconds;
}

async function putRecordRate(kinesis: KinesisClient, stream: string): Promise<number> {
  const events = await syntheticEvents(PUTRECORD_EVENTS);
  const started = performance.now();
  for (const event of events) {
    await kinesis.send(
      new PutRecordCommand({
        StreamName: stream,
        PartitionKey: event.symbol,
        Data: Buffer.from(JSON.stringify(event)),
      }),
    );
  }
  return PUTRECORD_EVENTS / ((performance.now() - started) / 1000);
}

async function measure(kinesis: KinesisClient): Promise<{ batched: number; putRecord: number }> {
  await createStream(kinesis, 'bench-stream', 4);
  await batchedRate(kinesis, 'bench-stream'); // warm-up: JIT, sockets
  const batched: number[] = [];
  const putRecord: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    batched.push(await batchedRate(kinesis, 'bench-stream'));
    putRecord.push(await putRecordRate(kinesis, 'bench-stream'));
  }
  return { batched: median(batched), putRecord: median(putRecord) };
}

const KINESALITE_OPTIONS = '{ createStreamMs: 0, shardLimit: 100 }';
const LISTEN = "s.listen(0, '127.0.0.1', () => console.log(s.address().port));";
const LOCAL_STACK_KINESALITE = `const { createKinesalite } = await import('./src/local/daemon/emulators.ts'); const s = await createKinesalite(${KINESALITE_OPTIONS}); ${LISTEN}`;
const STOCK_KINESALITE = `const { default: kinesalite } = await import('kinesalite'); const s = kinesalite(${KINESALITE_OPTIONS}); ${LISTEN}`;

/** kinesalite in a child process on a free loopback port. */
async function kinesaliteProcess(script: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
  });
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

async function measureAgainst(script: string): Promise<{ batched: number; putRecord: number }> {
  const emulator = await kinesaliteProcess(script);
  const clients = new AwsClients({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoints: { kinesis: emulator.endpoint },
    env: {},
  });
  try {
    return await measure(await clients.get('kinesis'));
  } finally {
    await clients.destroy();
    emulator.child.kill();
  }
}

const local = await measureAgainst(LOCAL_STACK_KINESALITE);
// The producer's own memory and CPU: the emulator's live in the other process.
const peakRssMb = process.resourceUsage().maxRSS / 1024;
const producerCpuEventsPerSecond = batchedCpuEvents / (batchedCpuMicros / 1e6);
const stock = await measureAgainst(STOCK_KINESALITE);

report('producer', 'events_per_s', local.batched, 'events/s');
report('producer', 'putrecord_events_per_s', local.putRecord, 'events/s');
report('producer', 'ratio_vs_putrecord', local.batched / local.putRecord, 'ratio');
report('producer', 'peak_rss_mb', peakRssMb, 'MB');
report('producer', 'producer_cpu_events_per_s', producerCpuEventsPerSecond, 'events/cpu-s');
report('producer', 'stock_kinesalite_events_per_s', stock.batched, 'events/s');
report('producer', 'stock_kinesalite_putrecord_events_per_s', stock.putRecord, 'events/s');
report('producer', 'stock_kinesalite_ratio_vs_putrecord', stock.batched / stock.putRecord, 'ratio');
