// One fault scenario, start to verdict: create a topic on the target, run the workload while the
// nemesis carries out its seeded plan, heal every fault, wait for every promise to settle (bounded by
// the producers' delivery.timeout.ms plus a margin), close the producers, read the whole topic back
// and check it against what the producers were told.
import { Admin, parseProducerConfig } from '../../client/index.js';
import { randomTopic, waitFor } from '../cluster/cluster-kit.js';
import { checkDeliveries, type CheckReport } from './delivery-checker.js';
import type { FaultTarget } from './fault-target.js';
import { describeFault, planFaults, runNemesis, validatePlan, type FaultEvent, type NemesisOptions, type PlannedFault } from './nemesis.js';
import { SeededRandom } from './seeded-random.js';
import { readTopic } from './topic-reader.js';
import { Workload, type ProducerCloseResult, type ProducerSettings } from './workload.js';

export interface ScenarioSpec {
  name: string;
  partitions: number;
  /** Default 1. */
  replicationFactor?: number;
  producers: number;
  producerSettings: ProducerSettings;
  /** Records per second over all producers. */
  ratePerSecond: number;
  durationMs: number;
  /** The nemesis; undefined for a run without faults. Faults start and end within durationMs. */
  faults: Omit<NemesisOptions, 'windowMs' | 'nodes'> | undefined;
}

export interface ScenarioResult {
  seed: number;
  topic: string;
  plan: PlannedFault[];
  events: FaultEvent[];
  report: CheckReport;
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

/** The nemesis plan a scenario would run with this seed on `nodes` nodes. */
export function scenarioPlan(spec: ScenarioSpec, seed: number, nodes: number): PlannedFault[] {
  return spec.faults ? planFaults(new SeededRandom(seed), { ...spec.faults, windowMs: spec.durationMs, nodes }) : [];
}

async function createTopic(target: FaultTarget, topic: string, partitions: number, replicationFactor: number): Promise<void> {
  const admin = new Admin({ 'bootstrap.servers': target.bootstrap });
  try {
    await admin.createTopics([{ name: topic, numPartitions: partitions, replicationFactor }]);
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

export async function runScenario(target: FaultTarget, spec: ScenarioSpec, seed: number): Promise<ScenarioResult> {
  const topic = randomTopic('faults');
  await createTopic(target, topic, spec.partitions, spec.replicationFactor ?? 1);
  const plan = scenarioPlan(spec, seed, target.nodes.length);
  validatePlan(plan, target.nodes);
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
    const nemesis = runNemesis(target, plan, workload.startedAt);
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
  const logs = await readTopic(target.bootstrap, topic, spec.partitions);
  const report = checkDeliveries({ topic, deliveries: workload.deliveries, logs, closes });

  const happened = events.map((e) => `${e.fault.kind}@${e.startedAtMs}-${e.endedAtMs}ms${e.connectionsCut > 0 ? `(${e.connectionsCut} cut)` : ''}`);
  const summary = `fault scenario "${spec.name}" FAULT_SEED=${seed}, topic ${topic}, ${spec.producers} producer(s) at ${spec.ratePerSecond}/s for ${spec.durationMs} ms; ` +
    `plan [${plan.map(describeFault).join(', ')}]; done [${happened.join(', ')}]; ` +
    `producers: ${producerStats.requestsSent} requests, ${producerStats.batchesRetried} batches retried, ${producerStats.batchesFailed} failed; settled ${Math.max(0, settleMs)} ms after the load`;
  return { seed, topic, plan, events, report, producerStats, settleMs, summary };
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
