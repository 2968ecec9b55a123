// `npm run bench:replication`: what replication costs, measured in one run on one local cluster of 3
// combined broker,controller nodes (the launcher `strait cluster` uses):
//   - produce throughput of 100-byte records with `sendMany` (the bench's usual batch settings) for
//     RF=1 acks=1, RF=1 acks=all, RF=3 acks=1 and RF=3 acks=all, each as a ratio to RF=1 acks=1 on
//     the same layout: one partition led by node 1, and 3 partitions led by nodes 1, 2 and 3;
//     rounds interleave the rows so that a busy minute on the machine hits all of them;
//   - end-to-end latency (send -> consumer poll) at a steady rate, RF=1 against RF=3, both acks=all.
// Topics are created with explicit replica lists, so each layout's leaders are the same for every row.
// Prints a table and writes bench/results/replication-<timestamp>.json. A benchmark, never a test.
//   BENCH_SCALE=0.2      fewer records and a shorter latency run
//   BENCH_ROUNDS=3       rounds of the throughput rows (the median is reported)
//   BENCH_LATENCY_RATE=2000
//   BENCH_ROWS=rf3-acks1,rf3-acksall   only these throughput rows (rf<1|3>-acks<1|all>; the RF=1 acks=1
//                                      baseline always runs, for the ratio)
//   BENCH_LAYOUTS=1                    only the layout with this many partitions (1 or 3)
//   BENCH_LATENCY=0                    skip the latency run
//   BENCH_BROKER_NODE_ARGS='--initial-old-space-size=16'    node options for each broker process, after
//                                      BROKER_NODE_ARGS (so they override them; this one undoes their heap setting)
// (the filters serve profiling and A/B runs of one part; the figures reported come from a full run)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { channelOptions, ErrorCode, loadProtos, type wire } from '../client/index.js';
import { spawnBroker } from '../cli/local-broker.js';
import { planLocalCluster, stopNodes, type ClusterPlan, type RunningNode } from '../cli/local-cluster.js';
import { endToEndLatency, type LatencyResult } from './latency.js';
import { cpuSecondsOf } from './process-cpu.js';
import { produceThroughput, type Delivery, type ThroughputResult } from './throughput.js';
import { envNumber } from './bench-env.js';

const scale = envNumber('BENCH_SCALE', 1, (n) => n > 0 && n <= 10);
const rounds = envNumber('BENCH_ROUNDS', 3, (n) => Number.isSafeInteger(n) && n >= 1 && n <= 20);
const latencyRate = envNumber('BENCH_LATENCY_RATE', 2000, (n) => Number.isSafeInteger(n) && n >= 100 && n <= 100_000);
const records = Math.max(10_000, Math.round(2_000_000 * scale));
const latencySeconds = Math.max(5, Math.round(20 * scale));
const RECORD_BYTES = 100;
const NODES = [1, 2, 3];

interface Layout {
  name: string;
  partitions: number;
  /** Replica lists of each partition for a replication factor; the first replica leads. */
  replicas(rf: number): number[][];
}

/** Partition p led by node p+1 (mod 3), its followers the next nodes round the ring. */
const ring = (partitions: number) => (rf: number): number[][] =>
  Array.from({ length: partitions }, (_, p) => Array.from({ length: rf }, (_, i) => NODES[(p + i) % NODES.length]!));

const LAYOUTS: Layout[] = [
  { name: '1 partition, led by node 1', partitions: 1, replicas: ring(1) },
  { name: '3 partitions, led by nodes 1, 2, 3', partitions: 3, replicas: ring(3) },
];

interface Row {
  label: string;
  rf: number;
  delivery: Delivery;
}

const ROWS: Row[] = [
  { label: 'RF=1 acks=1', rf: 1, delivery: 'acks=1' },
  { label: 'RF=1 acks=all', rf: 1, delivery: 'idempotent' },
  { label: 'RF=3 acks=1', rf: 3, delivery: 'acks=1' },
  { label: 'RF=3 acks=all', rf: 3, delivery: 'idempotent' },
];
const BASELINE = ROWS[0]!;

const rowKey = (row: Row): string => `rf${row.rf}-${row.delivery === 'acks=1' ? 'acks1' : 'acksall'}`;
const wantedRows = process.env['BENCH_ROWS']?.split(',').map((s) => s.trim()).filter((s) => s !== '');
const ACTIVE_ROWS = ROWS.filter((row) => row === BASELINE || !wantedRows || wantedRows.includes(rowKey(row)));
const wantedLayout = process.env['BENCH_LAYOUTS'];
const ACTIVE_LAYOUTS = LAYOUTS.filter((l) => wantedLayout === undefined || String(l.partitions) === wantedLayout);
const runLatency = process.env['BENCH_LATENCY'] !== '0';
const brokerNodeArgs = (process.env['BENCH_BROKER_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
const unknownRows = (wantedRows ?? []).filter((k) => !ROWS.some((row) => rowKey(row) === k));
if (ACTIVE_LAYOUTS.length === 0 || unknownRows.length > 0) {
  console.error(`BENCH_ROWS (${ROWS.map(rowKey).join(', ')}) or BENCH_LAYOUTS (1, 3) names nothing known`);
  process.exit(1);
}

class AdminCalls {
  private readonly admins = new Map<string, wire.AdminClient>();
  private readonly brokers = new Map<string, wire.BrokerClient>();
  private readonly proto = loadProtos().proto;

  private admin(address: string): wire.AdminClient {
    let c = this.admins.get(address);
    if (!c) this.admins.set(address, (c = new this.proto.strait.v1.Admin(address, grpc.credentials.createInsecure(), channelOptions())));
    return c;
  }

  private broker(address: string): wire.BrokerClient {
    let c = this.brokers.get(address);
    if (!c) this.brokers.set(address, (c = new this.proto.strait.v1.Broker(address, grpc.credentials.createInsecure(), channelOptions())));
    return c;
  }

  /** CreateTopics with explicit replica lists (the SDK's Admin takes counts only). */
  async createTopic(address: string, name: string, assignment: number[][], configs: Record<string, string>): Promise<void> {
    const request = {
      topics: [{
        name, numPartitions: -1, replicationFactor: -1,
        assignments: assignment.map((brokerIds, partition) => ({ partition, brokerIds })),
        configs: Object.entries(configs).map(([key, value]) => ({ name: key, value })),
      }],
      timeoutMs: 10_000,
      validateOnly: false,
    };
    const res = await new Promise<wire.CreateTopicsResponse__Output>((resolve, reject) => {
      this.admin(address).CreateTopics(request, { deadline: Date.now() + 20_000 }, (err, r) => (err ? reject(err) : resolve(r!)));
    });
    const t = res.topics[0];
    if (!t || t.errorCode !== ErrorCode.NONE) throw new Error(`creating ${name}: error ${t?.errorCode} ${t?.errorMessage}`);
  }

  metadata(address: string, topics: string[]): Promise<wire.MetadataResponse__Output> {
    return new Promise((resolve, reject) => {
      this.broker(address).Metadata({ topics, allTopics: false, allowAutoTopicCreation: false }, { deadline: Date.now() + 5_000 }, (err, r) => (err ? reject(err) : resolve(r!)));
    });
  }

  close(): void {
    for (const c of [...this.admins.values(), ...this.brokers.values()]) c.close();
  }
}

/** startPlannedNodes of cli/local-cluster.ts, with BENCH_BROKER_NODE_ARGS given to each broker's node. */
async function startNodes(plan: ClusterPlan): Promise<RunningNode[]> {
  const started = await Promise.allSettled(plan.nodes.map((p) => spawnBroker(p.configFile, { timeoutMs: 60_000, nodeArgs: brokerNodeArgs })));
  const running = started.flatMap((s, i) => (s.status === 'fulfilled' ? [{ plan: plan.nodes[i]!, process: s.value }] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stopNodes(running);
    throw failed.reason;
  }
  return running;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every node's metadata shows each partition led by its first replica with its whole ISR. */
async function topicReady(calls: AdminCalls, nodes: RunningNode[], name: string, assignment: number[][]): Promise<void> {
  const deadline = Date.now() + 60_000;
  let seen = 'no answer';
  for (;;) {
    try {
      const answers = await Promise.all(nodes.map((n) => calls.metadata(n.plan.address, [name])));
      const ready = answers.every((md) => {
        const t = md.topics.find((x) => x.name === name);
        return t !== undefined && t.errorCode === ErrorCode.NONE && assignment.every((replicas, p) => {
          const info = t.partitions.find((x) => x.partition === p);
          return info !== undefined && info.leaderId === replicas[0] && info.isrNodes.length === replicas.length;
        });
      });
      if (ready) return;
      seen = JSON.stringify(answers[0]?.topics[0]?.partitions.map((p) => ({ p: p.partition, leader: p.leaderId, isr: p.isrNodes })));
    } catch (err) {
      seen = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready (leaders, whole ISR) within 60 s; last seen ${seen}`);
    await sleep(100);
  }
}

const topicName = (layout: Layout, row: Row | string): string =>
  `bench-repl-${layout.partitions}p-${typeof row === 'string' ? row : rowKey(row)}`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** CPU seconds each process spent during one run, per million records: the bench (producer) and
 * each node by id. Empty without /proc. */
interface CpuPerMillion {
  client?: number;
  nodes: Record<number, number>;
}

type ThroughputRun = ThroughputResult & { cpuSecondsPerMillionRecords: CpuPerMillion };

interface ThroughputRow {
  layout: string;
  row: string;
  replicationFactor: number;
  delivery: Delivery;
  runs: ThroughputRun[];
  medianRecordsPerSecond: number;
  /** Median over this row's runs divided by the RF=1 acks=1 median of the same layout. */
  ratioToRf1: number;
  /** Medians over the runs of cpuSecondsPerMillionRecords, and of their sum. */
  medianCpuSecondsPerMillionRecords: CpuPerMillion & { total?: number };
}

/** Every process's CPU seconds now (the bench itself and each node). */
function cpuNow(nodes: readonly RunningNode[]): { client: number | undefined; nodes: Map<number, number | undefined> } {
  return {
    client: cpuSecondsOf(process.pid),
    nodes: new Map(nodes.map((n) => [n.plan.nodeId, n.process.child.pid === undefined ? undefined : cpuSecondsOf(n.process.child.pid)])),
  };
}

function cpuPerMillion(before: ReturnType<typeof cpuNow>, after: ReturnType<typeof cpuNow>, recordCount: number): CpuPerMillion {
  const per = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : ((b - a) * 1e6) / recordCount);
  const nodes: Record<number, number> = {};
  for (const [id, end] of after.nodes) {
    const v = per(before.nodes.get(id), end);
    if (v !== undefined) nodes[id] = v;
  }
  const client = per(before.client, after.client);
  return client === undefined ? { nodes } : { client, nodes };
}

function medianCpu(runs: readonly ThroughputRun[]): CpuPerMillion & { total?: number } {
  const of = (pick: (c: CpuPerMillion) => number | undefined): number | undefined => {
    const values = runs.map((r) => pick(r.cpuSecondsPerMillionRecords));
    return values.every((v): v is number => v !== undefined) && values.length > 0 ? median(values) : undefined;
  };
  const nodes: Record<number, number> = {};
  for (const id of NODES) {
    const v = of((c) => c.nodes[id]);
    if (v !== undefined) nodes[id] = v;
  }
  const client = of((c) => c.client);
  const total = of((c) => (c.client === undefined ? undefined : c.client + Object.values(c.nodes).reduce((a, b) => a + b, 0)));
  return { ...(client === undefined ? {} : { client }), nodes, ...(total === undefined ? {} : { total }) };
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log('');
}

async function main(): Promise<void> {
  const baseDir = mkdtempSync(path.join(os.tmpdir(), 'strait-bench-repl-'));
  const plan = await planLocalCluster({
    nodes: 3,
    baseDir,
    // Large segments: the benchmark measures the data path, not rolling.
    config: { 'auto.create.topics.enable': 'false', 'log.segment.bytes': String(1024 * 1024 * 1024) },
  });
  const calls = new AdminCalls();
  let nodes: RunningNode[] = [];
  const throughput: ThroughputRow[] = [];
  const latency: (LatencyResult & { replicationFactor: number })[] = [];
  try {
    nodes = await startNodes(plan);
    // For profiles taken with NODE_OPTIONS=--cpu-prof: which file is which node.
    process.stderr.write(`node pids: ${nodes.map((n) => `${n.plan.nodeId}=${n.process.child.pid}`).join(' ')}, bench ${process.pid}\n`);
    const bootstrap = plan.bootstrap;
    const via = nodes[0]!.plan.address;
    const create = async (name: string, assignment: number[][]): Promise<void> => {
      // min.insync.replicas stays 1 (as in Kafka's 2014 runs): it only decides when acks=all is refused, not its speed.
      await calls.createTopic(via, name, assignment, {});
      await topicReady(calls, nodes, name, assignment);
    };
    for (const layout of ACTIVE_LAYOUTS) for (const row of ACTIVE_ROWS) await create(topicName(layout, row), layout.replicas(row.rf));
    for (const rf of runLatency ? [1, 3] : []) await create(topicName(LAYOUTS[0]!, `latency-rf${rf}`), LAYOUTS[0]!.replicas(rf));

    // The first run in a process is slower (the JIT warms up on it): one run of the baseline, not counted.
    await produceThroughput(bootstrap, topicName(ACTIVE_LAYOUTS[0]!, BASELINE), records, RECORD_BYTES, BASELINE.delivery, ACTIVE_LAYOUTS[0]!.partitions);
    const runs = new Map<string, ThroughputRun[]>();
    for (let round = 1; round <= rounds; round++) {
      for (const layout of ACTIVE_LAYOUTS) {
        for (const row of ACTIVE_ROWS) {
          const before = cpuNow(nodes);
          const result = await produceThroughput(bootstrap, topicName(layout, row), records, RECORD_BYTES, row.delivery, layout.partitions);
          const r: ThroughputRun = { ...result, cpuSecondsPerMillionRecords: cpuPerMillion(before, cpuNow(nodes), records) };
          const key = `${layout.name}\u0000${row.label}`;
          runs.set(key, [...(runs.get(key) ?? []), r]);
          process.stderr.write(`round ${round}/${rounds}: ${layout.name}, ${row.label}: ${Math.round(r.recordsPerSecond).toLocaleString('en-US')} rec/s\n`);
        }
      }
    }
    for (const layout of ACTIVE_LAYOUTS) {
      const baseline = median(runs.get(`${layout.name}\u0000${BASELINE.label}`)!.map((r) => r.recordsPerSecond));
      for (const row of ACTIVE_ROWS) {
        const results = runs.get(`${layout.name}\u0000${row.label}`)!;
        const med = median(results.map((r) => r.recordsPerSecond));
        throughput.push({
          layout: layout.name, row: row.label, replicationFactor: row.rf, delivery: row.delivery, runs: results,
          medianRecordsPerSecond: med, ratioToRf1: med / baseline, medianCpuSecondsPerMillionRecords: medianCpu(results),
        });
      }
    }
    for (const rf of runLatency ? [1, 3] : []) {
      const r = await endToEndLatency(bootstrap, topicName(LAYOUTS[0]!, `latency-rf${rf}`), latencyRate, latencySeconds, RECORD_BYTES, 'idempotent');
      latency.push({ ...r, name: `RF=${rf} ${r.name}`, replicationFactor: rf });
      process.stderr.write(`latency RF=${rf}: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms\n`);
    }
  } finally {
    calls.close();
    await stopNodes(nodes, 10_000);
    rmSync(baseDir, { recursive: true, force: true });
  }

  if (brokerNodeArgs.length > 0) console.log(`\nbrokers started with node ${brokerNodeArgs.join(' ')}`);
  console.log(`\nproduce ${RECORD_BYTES} B records, sendMany, ${records.toLocaleString('en-US')} records per run, median of ${rounds} interleaved rounds; 3 nodes (combined broker,controller)`);
  printTable(['layout', 'row', 'records/s', 'MB/s', 'ratio to RF=1 acks=1', 'runs (records/s)'], throughput.map((t) => [
    t.layout, t.row,
    Math.round(t.medianRecordsPerSecond).toLocaleString('en-US'),
    ((t.medianRecordsPerSecond * RECORD_BYTES) / 1e6).toFixed(1),
    t.ratioToRf1.toFixed(2),
    t.runs.map((r) => Math.round(r.recordsPerSecond).toLocaleString('en-US')).join(' / '),
  ]));
  const seconds = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(2));
  console.log('CPU seconds per million records (median of the runs; the producer is the bench process)');
  printTable(['layout', 'row', 'producer', 'node 1', 'node 2', 'node 3', 'total'], throughput.map((t) => {
    const c = t.medianCpuSecondsPerMillionRecords;
    return [t.layout, t.row, seconds(c.client), ...NODES.map((id) => seconds(c.nodes[id])), seconds(c.total)];
  }));
  const [rf1, rf3] = latency;
  console.log(`end-to-end latency, ${latencyRate}/s for ${latencySeconds} s, acks=all idempotent, 1 partition led by node 1`);
  for (const l of latency) console.log(`${l.name}: p50 ${l.p50Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms, p99.9 ${l.p999Ms.toFixed(2)} ms, max ${l.maxMs.toFixed(2)} ms (${l.records} records)`);
  if (rf1 && rf3) console.log(`added by RF=3: p50 ${(rf3.p50Ms - rf1.p50Ms).toFixed(2)} ms, p99 ${(rf3.p99Ms - rf1.p99Ms).toFixed(2)} ms`);

  const here = path.dirname(fileURLToPath(import.meta.url));
  const resultsDir = path.resolve(here, '../../bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `replication-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({
    when: new Date().toISOString(),
    host: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
    brokerNodeArgs,
    scale, rounds, recordsPerRun: records, recordBytes: RECORD_BYTES,
    throughput, latency,
  }, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
