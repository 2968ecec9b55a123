// `npm run bench:cluster`: the metadata quorum's speed on a local 3-node cluster (3 combined voters).
//   - controller failover: stop the active controller (kill -9, or SIGTERM: a clean shutdown, which
//     hands Raft leadership over before it exits); time until a surviving node reports another
//     controller, and until a CreateTopics through a survivor succeeds; p50 and max over the runs
//     (the stopped node is restarted between runs);
//   - partition creation: one topic of 1,000 partitions RF 3, and 100 topics of 10 partitions RF 3,
//     each until a node's Metadata shows every partition with a leader.
// Prints a table and writes bench/results/cluster-<timestamp>.json. A benchmark, never a test.
//   BENCH_FAILOVER_RUNS=20  BENCH_ELECTION_TIMEOUT_MS=1000 (Kafka's default)  BENCH_FAILOVER_SIGNAL=SIGKILL|SIGTERM
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { channelOptions, ErrorCode, loadProtos, type wire } from '../client/index.js';
import { spawnBroker } from '../cli/local-broker.js';
import { planLocalCluster, stopNodes, startPlannedNodes, type RunningNode } from '../cli/local-cluster.js';

const runs = Number(process.env.BENCH_FAILOVER_RUNS ?? '20');
const electionTimeoutMs = process.env.BENCH_ELECTION_TIMEOUT_MS ?? '1000';
const signalName = process.env.BENCH_FAILOVER_SIGNAL ?? 'SIGKILL';
if (!Number.isSafeInteger(runs) || runs < 1) {
  console.error('BENCH_FAILOVER_RUNS must be a positive integer');
  process.exit(1);
}
if (signalName !== 'SIGKILL' && signalName !== 'SIGTERM') {
  console.error('BENCH_FAILOVER_SIGNAL must be SIGKILL or SIGTERM');
  process.exit(1);
}
const stopSignal: 'SIGKILL' | 'SIGTERM' = signalName;

const CALL_MS = 2_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Calls {
  private readonly admins = new Map<string, wire.AdminClient>();
  private readonly brokers = new Map<string, wire.BrokerClient>();
  private readonly proto = loadProtos().proto;

  admin(address: string): wire.AdminClient {
    let c = this.admins.get(address);
    if (!c) this.admins.set(address, (c = new this.proto.strait.v1.Admin(address, grpc.credentials.createInsecure(), channelOptions())));
    return c;
  }

  broker(address: string): wire.BrokerClient {
    let c = this.brokers.get(address);
    if (!c) this.brokers.set(address, (c = new this.proto.strait.v1.Broker(address, grpc.credentials.createInsecure(), channelOptions())));
    return c;
  }

  describe(address: string): Promise<wire.DescribeClusterResponse__Output> {
    return new Promise((resolve, reject) => {
      this.admin(address).DescribeCluster({}, { deadline: Date.now() + CALL_MS }, (err, res) => (err ? reject(err) : resolve(res!)));
    });
  }

  createTopics(address: string, topics: { name: string; partitions: number; rf: number }[], timeoutMs: number): Promise<wire.CreateTopicsResponse__Output> {
    const request = {
      topics: topics.map((t) => ({ name: t.name, numPartitions: t.partitions, replicationFactor: t.rf, assignments: [], configs: [] })),
      timeoutMs,
      validateOnly: false,
    };
    return new Promise((resolve, reject) => {
      this.admin(address).CreateTopics(request, { deadline: Date.now() + timeoutMs + 5_000 }, (err, res) => (err ? reject(err) : resolve(res!)));
    });
  }

  metadata(address: string, topics: string[]): Promise<wire.MetadataResponse__Output> {
    return new Promise((resolve, reject) => {
      this.broker(address).Metadata({ topics, allTopics: false, allowAutoTopicCreation: false }, { deadline: Date.now() + 10_000 }, (err, res) => (err ? reject(err) : resolve(res!)));
    });
  }

  close(): void {
    for (const c of [...this.admins.values(), ...this.brokers.values()]) c.close();
  }
}

/** Polls until probe returns a value; throws after timeoutMs. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Every node answers, one controller, every broker registered and unfenced. */
function stable(calls: Calls, nodes: RunningNode[]): Promise<number> {
  return until('a stable cluster', async () => {
    let controller: number | undefined;
    for (const n of nodes) {
      const d = await calls.describe(n.plan.address);
      if (d.controllerId < 0 || (controller !== undefined && d.controllerId !== controller) || d.brokers.length !== nodes.length) return undefined;
      controller = d.controllerId;
    }
    return controller;
  }, 60_000, 50);
}

interface FailoverRun {
  killed: number;
  newController: number;
  /** signal -> a survivor reports another active controller */
  controllerMs: number;
  /** signal -> a CreateTopics through a survivor succeeded */
  createMs: number;
  /** signal -> the stopped process exited */
  exitMs: number;
}

async function failover(calls: Calls, nodes: RunningNode[], run: number): Promise<FailoverRun> {
  const old = await stable(calls, nodes);
  const victim = nodes.find((n) => n.plan.nodeId === old)!;
  const survivors = nodes.filter((n) => n !== victim);
  const t0 = performance.now();
  let exitMs = Number.NaN;
  void victim.process.exited.then(() => (exitMs = performance.now() - t0));
  victim.process.child.kill(stopSignal);
  const newController = await until('a new controller', async () => {
    for (const n of survivors) {
      const d = await calls.describe(n.plan.address).catch(() => undefined);
      if (d && d.controllerId >= 0 && d.controllerId !== old) return d.controllerId;
    }
    return undefined;
  }, 60_000, 5);
  const controllerMs = performance.now() - t0;
  const via = survivors[run % survivors.length]!.plan.address;
  await until('CreateTopics after failover', async () => {
    const res = await calls.createTopics(via, [{ name: `bench-failover-${run}`, partitions: 1, rf: 2 }], 5_000);
    const code = res.topics[0]?.errorCode;
    return code === ErrorCode.NONE || code === ErrorCode.TOPIC_ALREADY_EXISTS ? true : undefined;
  }, 60_000, 5);
  const createMs = performance.now() - t0;
  await victim.process.exited;
  victim.process = await spawnBroker(victim.plan.configFile, { timeoutMs: 60_000 });
  return { killed: old, newController, controllerMs, createMs, exitMs };
}

async function partitionsWithLeaders(calls: Calls, address: string, topics: string[], expected: number): Promise<void> {
  let seen = 'no answer';
  await until(`${expected} partitions with leaders on ${address}`, async () => {
    const md = await calls.metadata(address, topics);
    const known = md.topics.filter((t) => t.errorCode === ErrorCode.NONE);
    const partitions = known.reduce((sum, t) => sum + t.partitions.length, 0);
    const ready = known.reduce((sum, t) => sum + t.partitions.filter((p) => p.leaderId >= 0).length, 0);
    seen = `${known.length}/${topics.length} topics known, ${partitions} partitions, ${ready} with a leader, controller ${md.controllerId}`;
    return ready === expected ? true : undefined;
  }, 120_000, 20).catch((err: Error) => {
    throw new Error(`${err.message} (last seen: ${seen})`);
  });
}

interface CreationResult {
  name: string;
  partitions: number;
  ms: number;
  /** CreateTopics attempts: more than 1 when the controller changed under the request (NOT_CONTROLLER). */
  attempts: number;
  /** Topics of this request answered TOPIC_ALREADY_EXISTS although their names were new. */
  alreadyExistsAnswers: number;
}

async function createPartitions(calls: Calls, nodes: RunningNode[], name: string, topics: { name: string; partitions: number; rf: number }[]): Promise<CreationResult> {
  await stable(calls, nodes);
  const via = nodes[0]!.plan.address;
  const observer = nodes[nodes.length - 1]!.plan.address;
  const total = topics.reduce((s, t) => s + t.partitions, 0);
  // A controller change during the request answers NOT_CONTROLLER for every topic: the timing then
  // restarts with the next attempt (and the attempts are reported).
  for (let attempts = 1; ; attempts++) {
    // Fresh names per attempt: a NOT_CONTROLLER answer does not say the earlier attempt left nothing.
    const named = topics.map((t) => ({ ...t, name: `${t.name}-a${attempts}` }));
    const t0 = performance.now();
    const res = await calls.createTopics(via, named, 60_000);
    // TOPIC_ALREADY_EXISTS on a fresh name means this very request created it (a forwarded write that
    // was retried inside the cluster): created, and counted.
    const repeated = res.topics.filter((t) => t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS).length;
    const failed = res.topics.filter((t) => t.errorCode !== ErrorCode.NONE && t.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS);
    if (failed.length > 0 && attempts < 5 && failed.every((t) => t.errorCode === ErrorCode.NOT_CONTROLLER)) {
      process.stderr.write(`${name}: attempt ${attempts} answered NOT_CONTROLLER (${failed[0]!.errorMessage}); retrying\n`);
      await stable(calls, nodes);
      continue;
    }
    if (failed.length > 0) throw new Error(`${name}: CreateTopics failed: ${failed[0]!.name} ${failed[0]!.errorCode} ${failed[0]!.errorMessage}`);
    await partitionsWithLeaders(calls, observer, named.map((t) => t.name), total);
    return { name, partitions: total, ms: performance.now() - t0, attempts, alreadyExistsAnswers: repeated };
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const baseDir = mkdtempSync(path.join(os.tmpdir(), 'strait-bench-cluster-'));
  const plan = await planLocalCluster({ nodes: 3, baseDir, config: { 'controller.quorum.election.timeout.ms': electionTimeoutMs } });
  const calls = new Calls();
  let nodes: RunningNode[] = [];
  const failovers: FailoverRun[] = [];
  const creations: CreationResult[] = [];
  try {
    nodes = await startPlannedNodes(plan, { timeoutMs: 60_000 });
    for (let i = 0; i < runs; i++) {
      const r = await failover(calls, nodes, i);
      failovers.push(r);
      process.stderr.write(`failover ${i + 1}/${runs} (${stopSignal}): controller ${r.killed} -> ${r.newController} in ${r.controllerMs.toFixed(0)} ms, CreateTopics ok at ${r.createMs.toFixed(0)} ms, exited at ${r.exitMs.toFixed(0)} ms\n`);
    }
    creations.push(await createPartitions(calls, nodes, '1 topic x 1,000 partitions, RF 3', [{ name: 'bench-1000', partitions: 1000, rf: 3 }]));
    creations.push(await createPartitions(calls, nodes, '100 topics x 10 partitions, RF 3', Array.from({ length: 100 }, (_, i) => ({ name: `bench-t${i}`, partitions: 10, rf: 3 }))));
  } finally {
    calls.close();
    // failover() swaps a restarted node's process into its RunningNode, so this stops the live ones.
    await stopNodes(nodes, 10_000);
    rmSync(baseDir, { recursive: true, force: true });
  }

  const controllerMs = failovers.map((f) => f.controllerMs).sort((a, b) => a - b);
  const createMs = failovers.map((f) => f.createMs).sort((a, b) => a - b);
  const exitMs = failovers.map((f) => f.exitMs).sort((a, b) => a - b);
  const summary = {
    controller: { p50Ms: percentile(controllerMs, 50), maxMs: controllerMs[controllerMs.length - 1]! },
    createTopics: { p50Ms: percentile(createMs, 50), maxMs: createMs[createMs.length - 1]! },
    exit: { p50Ms: percentile(exitMs, 50), maxMs: exitMs[exitMs.length - 1]! },
  };
  const how = stopSignal === 'SIGKILL' ? 'kill -9 the active controller' : 'SIGTERM the active controller (clean shutdown)';
  console.log(`controller failover, 3 voters, election timeout ${electionTimeoutMs} ms, ${runs} runs (${how})`);
  console.log('measure                                   p50 ms    max ms');
  console.log(`new controller reported by a survivor  ${summary.controller.p50Ms.toFixed(0).padStart(9)} ${summary.controller.maxMs.toFixed(0).padStart(9)}`);
  console.log(`CreateTopics through a survivor ok     ${summary.createTopics.p50Ms.toFixed(0).padStart(9)} ${summary.createTopics.maxMs.toFixed(0).padStart(9)}`);
  console.log(`stopped process exited                 ${summary.exit.p50Ms.toFixed(0).padStart(9)} ${summary.exit.maxMs.toFixed(0).padStart(9)}`);
  console.log('');
  console.log('partition creation (CreateTopics -> Metadata shows every partition with a leader)');
  for (const c of creations) console.log(`${c.name.padEnd(36)} ${c.ms.toFixed(0).padStart(7)} ms${c.attempts > 1 ? ` (attempt ${c.attempts})` : ''}${c.alreadyExistsAnswers > 0 ? ` (${c.alreadyExistsAnswers} new topics answered TOPIC_ALREADY_EXISTS)` : ''}`);

  const here = path.dirname(fileURLToPath(import.meta.url));
  const resultsDir = path.resolve(here, '../../bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `cluster-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({
    when: new Date().toISOString(),
    host: { cpus: os.cpus().length, node: process.version },
    electionTimeoutMs: Number(electionTimeoutMs),
    stopSignal,
    failover: { runs: failovers, ...summary },
    creation: creations,
  }, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
