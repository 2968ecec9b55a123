// `npm run bench`: throughput and end-to-end latency through one real broker process on loopback.
// Prints a table and writes bench/results/<timestamp>.json. A benchmark, never a test.
//   BENCH_SCALE=0.2 npm run bench   runs a shorter version.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withBroker } from './bench-broker.js';
import { consumeThroughput, createBenchTopic, produceThroughput, produceThroughputPerRecord, type ThroughputResult } from './throughput.js';
import { endToEndLatency, type LatencyResult } from './latency.js';
import { validationThroughput, type ValidationResult } from './validation.js';
import { mirrorBench, type MirrorBenchResult } from './mirror.js';

const scale = Number(process.env.BENCH_SCALE ?? '1');
if (!(scale > 0 && scale <= 10)) {
  console.error('BENCH_SCALE must be a number in (0, 10]');
  process.exit(1);
}
const n = (count: number): number => Math.max(1000, Math.round(count * scale));
// BENCH_ONLY=produce,consume,send,latency,validation,mirror runs a subset (consume reads what produce
// wrote; validation runs in this process, without a broker; mirror starts its own two brokers and a
// `strait mirror` process).
const SCENARIOS = ['produce', 'send', 'consume', 'latency', 'validation', 'mirror'];
const BROKER_SCENARIOS = ['produce', 'send', 'consume', 'latency'];
const only = new Set((process.env.BENCH_ONLY ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()));
for (const name of only) {
  if (!SCENARIOS.includes(name)) {
    console.error(`BENCH_ONLY: unknown scenario ${name} (${SCENARIOS.join(', ')})`);
    process.exit(1);
  }
}

function formatRate(r: ThroughputResult): string[] {
  return [r.name, r.records.toLocaleString('en-US'), Math.round(r.recordsPerSecond).toLocaleString('en-US'), r.megabytesPerSecond.toFixed(1), r.seconds.toFixed(2)];
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log('');
}

async function main(): Promise<void> {
  const throughput: ThroughputResult[] = [];
  const latency: LatencyResult[] = [];
  const validation: ValidationResult[] = only.has('validation') ? validationThroughput() : [];
  if (BROKER_SCENARIOS.some((name) => only.has(name))) {
    await withBroker(async (broker) => {
      for (const topic of ['bench-100', 'bench-1k', 'bench-send', 'bench-latency', 'bench-100-idem', 'bench-send-idem']) await createBenchTopic(broker.address, topic);
      const small = n(3_000_000);
      const large = n(500_000);
      if (only.has('produce') || only.has('consume')) {
        throughput.push(await produceThroughput(broker.address, 'bench-100', small, 100));
        throughput.push(await produceThroughput(broker.address, 'bench-1k', large, 1024));
      }
      if (only.has('produce')) throughput.push(await produceThroughput(broker.address, 'bench-100-idem', small, 100, 'idempotent'));
      if (only.has('send')) {
        throughput.push(await produceThroughputPerRecord(broker.address, 'bench-send', n(1_000_000), 100));
        throughput.push(await produceThroughputPerRecord(broker.address, 'bench-send-idem', n(1_000_000), 100, 'idempotent'));
      }
      if (only.has('consume')) {
        throughput.push(await consumeThroughput(broker.address, 'bench-100', small, 100));
        throughput.push(await consumeThroughput(broker.address, 'bench-1k', large, 1024));
      }
      if (only.has('latency')) latency.push(await endToEndLatency(broker.address, 'bench-latency', 2000, Math.max(5, Math.round(20 * scale))));
    });
  }

  const mirror: MirrorBenchResult | undefined = only.has('mirror') ? await mirrorBench(n, Math.max(5, Math.round(15 * scale))) : undefined;

  if (throughput.length > 0) printTable(['scenario', 'records', 'records/s', 'MB/s', 'seconds'], throughput.map(formatRate));
  if (validation.length > 0) {
    printTable(['validation (no broker)', 'records/batch', 'records/s', 'MB/s', 'batches'], validation.map((v) => [
      v.name, String(v.recordsPerBatch), Math.round(v.recordsPerSecond).toLocaleString('en-US'), v.megabytesPerSecond.toFixed(0), v.batches.toLocaleString('en-US'),
    ]));
  }
  for (const l of latency) {
    console.log(`${l.name}: p50 ${l.p50Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms, p99.9 ${l.p999Ms.toFixed(2)} ms, max ${l.maxMs.toFixed(2)} ms (${l.records} records)`);
  }

  if (mirror) {
    const b = mirror.backfill;
    printTable(['mirror (one flow, 100 B records)', 'records', 'records/s', 'MB/s', 'seconds'], [
      formatRate({ ...mirror.producer, name: 'source producer (acks=all, idempotent), the baseline' }),
      ['back-fill of the written topic', b.records.toLocaleString('en-US'), Math.round(b.recordsPerSecond).toLocaleString('en-US'), b.megabytesPerSecond.toFixed(1), b.seconds.toFixed(2)],
    ]);
    console.log(`mirror back-fill / source producer: ${b.ratioToProducer.toFixed(2)}x`);
    const l = mirror.latency;
    console.log(`mirror latency at ${l.ratePerSecond}/s, source send to target visible: p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, p99.9 ${l.p999Ms} ms, max ${l.maxMs} ms (${l.records} records)`);
    console.log(`  the same records, send to visible on the source alone: p50 ${l.source.p50Ms} ms, p99 ${l.source.p99Ms} ms, p99.9 ${l.source.p999Ms} ms, max ${l.source.maxMs} ms`);
    const g = mirror.lag;
    console.log(`mirror lag with the source written at full speed (${Math.round(g.producerRecordsPerSecond).toLocaleString('en-US')} records/s, ${g.records.toLocaleString('en-US')} records): max ${g.maxLagRecords.toLocaleString('en-US')} records, ${g.lagAtLastAckRecords.toLocaleString('en-US')} at the producer's last ack, caught up ${g.catchUpMs.toFixed(0)} ms later`);
  }

  const here = path.dirname(fileURLToPath(import.meta.url));
  const resultsDir = path.resolve(here, '../../bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ when: new Date().toISOString(), scale, host: { cpus: os.cpus().length, node: process.version }, throughput, latency, validation, mirror }, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
