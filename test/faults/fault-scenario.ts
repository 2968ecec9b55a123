// One fault scenario, start to verdict: create a topic on the target, run the workload while the
// nemesis carries out its seeded plan, heal every fault, wait for every promise to settle (bounded by
// the producers' delivery.timeout.ms plus a margin), close the producers, read the whole topic back
// and check it against what the producers were told. A replicated scenario then also checks every
// replica: it waits (bounded) for every partition's ISR to be whole and its replicas' log ends to
// agree, reads the topic back, stops every node cleanly, and reads and checks each node's copy of
// each partition from disk (replica-checker.ts).
import { Admin, parseProducerConfig } from '../../client/index.js';
import { randomTopic, waitFor } from '../cluster/cluster-kit.js';
import { ClusterView, type Convergence } from './cluster-view.js';
import { checkDeliveries, type CheckReport } from './delivery-checker.js';
import type { FaultTarget } from './fault-target.js';
import { describeFault, planFaults, ROLE_FAULTS, runNemesis, validatePlan, type FaultEvent, type NemesisOptions, type PlannedFault } from './nemesis.js';
import { checkReplicas, type ReplicaReport } from './replica-checker.js';
import { readNodeReplicas } from './replica-files.js';
import { SeededRandom } from './seeded-random.js';
import { readTopic } from './topic-reader.js';
import { Workload, type ProducerCloseResult, type ProducerSettings } from './workload.js';

export interface ScenarioSpec {
  name: string;
  partitions: number;
  /** Default 1. */
  replicationFactor?: number;
  /** Topic configs at creation (min.insync.replicas, ...). */
  topicConfigs?: Record<string, string>;
  /**
   * Check every replica from disk after the run (the target's nodes are stopped for it, so this
   * comes last). Needs a cluster whose nodes hold the topic's replicas.
   */
  checkReplicas?: boolean;
  producers: number;
  producerSettings: ProducerSettings;
  /** Records per second over all producers. */
  ratePerSecond: number;
  durationMs: number;
  /** The nemesis; undefined for a run without faults. Faults start and end within durationMs. */
  faults: Omit<NemesisOptions, 'windowMs' | 'nodes' | 'partitions'> | undefined;
}

export interface ScenarioResult {
  seed: number;
  topic: string;
  plan: PlannedFault[];
  events: FaultEvent[];
  report: CheckReport;
  /** Every replica checked from disk (spec.checkReplicas), else undefined. */
  replicas: ReplicaReport | undefined;
  producerStats: ReturnType<Workload['stats']>;
  /** From the end of the load until the last promise settled (negative: all settled before it ended). */
  settleMs: number;
  /** One line: scenario, seed, plan and what the faults did. */
  summary: string;
}

/** After the load stops, promises get delivery.timeout.ms plus this to settle (Kafka's bound is delivery.timeout.ms from send()). */
export const SETTLE_MARGIN_MS = 15_000;
/** Each producer's close() gets this long to flush. */
export const CLOSE_BOUND_MS = 10_000;
/** After the faults, replicas get this long to be back in the ISR with equal log ends. */
export const CONVERGE_BOUND_MS = 20_000;

/** The nemesis plan a scenario would run with this seed on `nodes` nodes. */
export function scenarioPlan(spec: ScenarioSpec, seed: number, nodes: number): PlannedFault[] {
  return spec.faults ? planFaults(new SeededRandom(seed), { ...spec.faults, windowMs: spec.durationMs, nodes, partitions: spec.partitions }) : [];
}

async function createTopic(target: FaultTarget, topic: string, spec: ScenarioSpec): Promise<void> {
  const { partitions } = spec;
  const admin = new Admin({ 'bootstrap.servers': target.bootstrap });
  try {
    await admin.createTopics([{ name: topic, numPartitions: partitions, replicationFactor: spec.replicationFactor ?? 1, configs: spec.topicConfigs ?? {} }]);
    await waitFor(`${topic}: ${partitions} partitions with leaders`, async () => {
      const [d] = await admin.describeTopics([topic]);
      return d !== undefined && d.partitions.length === partitions && d.partitions.every((p) => p.leaderId >= 0);
    }, 20_000);
  } finally {
    await admin.close();
  }
}

function lastSettledMs(workload: Workload): number {
  let last = 0;
  for (const d of workload.deliveries) if (d.settledAtMs !== undefined && d.settledAtMs > last) last = d.settledAtMs;
  return last;
}

/**
 * Stops every node cleanly and checks each node's replicas from disk against the ledger and each
 * other. A wait for convergence that ran out is reported as a violation; the replicas are read anyway.
 */
async function checkReplicasOnDisk(target: FaultTarget, topic: string, deliveries: Workload['deliveries'], convergence: Convergence): Promise<ReplicaReport> {
  await target.halt();
  return checkReplicas({
    topic,
    deliveries,
    assignment: convergence.assignment,
    replicas: target.nodes.flatMap((n) => readNodeReplicas(n.nodeId, n.broker.dataDir, topic)),
    ...(convergence.converged ? {} : { notConverged: `after ${convergence.waitedMs} ms: ${convergence.last}` }),
  });
}

export async function runScenario(target: FaultTarget, spec: ScenarioSpec, seed: number): Promise<ScenarioResult> {
  const topic = randomTopic('faults');
  await createTopic(target, topic, spec);
  const plan = scenarioPlan(spec, seed, target.nodes.length);
  const view = plan.some((f) => ROLE_FAULTS.has(f.kind)) || spec.checkReplicas ? new ClusterView(target, topic) : undefined;
  try {
    return await runLoadAndCheck(target, spec, seed, topic, plan, view);
  } finally {
    await view?.close();
  }
}

async function runLoadAndCheck(target: FaultTarget, spec: ScenarioSpec, seed: number, topic: string, plan: PlannedFault[], view: ClusterView | undefined): Promise<ScenarioResult> {
  validatePlan(plan, target.nodes, view);
  const deliveryTimeoutMs = parseProducerConfig({ ...spec.producerSettings, 'bootstrap.servers': target.bootstrap }).deliveryTimeoutMs;

  const workload = new Workload({
    bootstrap: target.bootstrap, topic, producers: spec.producers, producerSettings: spec.producerSettings,
    ratePerSecond: spec.ratePerSecond, durationMs: spec.durationMs,
  });
  let closes: ProducerCloseResult[] | undefined;
  let events: FaultEvent[];
  let settleMs: number;
  let producerStats: ReturnType<Workload['stats']>;
  try {
    const load = workload.run();
    const nemesis = runNemesis(target, plan, workload.startedAt, view);
    const [loaded, faulted] = await Promise.allSettled([load, nemesis]);
    await target.heal();
    if (loaded.status === 'rejected') throw loaded.reason;
    if (faulted.status === 'rejected') throw faulted.reason;
    events = faulted.value;
    await workload.settled(workload.stoppedAt + deliveryTimeoutMs + SETTLE_MARGIN_MS - Date.now());
    settleMs = lastSettledMs(workload) - (workload.stoppedAt - workload.startedAt);
    producerStats = workload.stats();
    closes = await workload.close(CLOSE_BOUND_MS);
  } finally {
    // A scenario that broke off still closes its producers, or their timers would keep the test alive.
    if (closes === undefined) await workload.close(0);
  }
  // Replicas are compared once they agree; the consumer reads before the nodes stop for that.
  const convergence = spec.checkReplicas && view ? await view.waitForFullReplicas(CONVERGE_BOUND_MS) : undefined;
  const logs = await readTopic(target.bootstrap, topic, spec.partitions);
  const report = checkDeliveries({ topic, deliveries: workload.deliveries, logs, closes });
  const replicas = convergence ? await checkReplicasOnDisk(target, topic, workload.deliveries, convergence) : undefined;

  const happened = events.map((e) => `${e.fault.kind}@${e.startedAtMs}-${e.endedAtMs}ms${e.victim ? `(${e.victim})` : ''}` +
    `${e.skipped ? `(skipped: ${e.skipped})` : ''}${e.connectionsCut > 0 ? `(${e.connectionsCut} cut)` : ''}`);
  const summary = `fault scenario "${spec.name}" FAULT_SEED=${seed}, topic ${topic}, ${spec.producers} producer(s) at ${spec.ratePerSecond}/s for ${spec.durationMs} ms; ` +
    `plan [${plan.map(describeFault).join(', ')}]; done [${happened.join(', ')}]; ` +
    `producers: ${producerStats.requestsSent} requests, ${producerStats.batchesRetried} batches retried, ${producerStats.batchesFailed} failed, ${producerStats.epochBumps} epoch bumps; settled ${Math.max(0, settleMs)} ms after the load`;
  const converged = convergence ? `; replicas ${convergence.converged ? 'converged' : 'did NOT converge'} after ${convergence.waitedMs} ms` : '';
  return { seed, topic, plan, events, report, replicas, producerStats, settleMs, summary: summary + converged };
}

export interface FaultRunSettings {
  /** FAULT_SEED, else random. */
  seed: number;
  /** FAULT_DURATION_MS: the load's duration for every scenario (default: each scenario's own). */
  durationMs: number | undefined;
  /** FAULT_RUNS: runs per scenario, seeds seed, seed+1, ... (default 1). */
  runs: number;
}

function positiveInt(env: NodeJS.ProcessEnv, key: string): number | undefined {
  const text = env[key];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new RangeError(`${key} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

export function faultRunSettings(seed: number, env: NodeJS.ProcessEnv = process.env): FaultRunSettings {
  return { seed, durationMs: positiveInt(env, 'FAULT_DURATION_MS'), runs: positiveInt(env, 'FAULT_RUNS') ?? 1 };
}

/** A scenario stretched to `durationMs`: the fault budget grows with the window. */
export function withDuration(spec: ScenarioSpec, durationMs: number | undefined): ScenarioSpec {
  if (durationMs === undefined || durationMs === spec.durationMs) return spec;
  const faults = spec.faults && { ...spec.faults, maxFaults: Math.max(1, Math.round((spec.faults.maxFaults * durationMs) / spec.durationMs)) };
  return { ...spec, durationMs, faults };
}
