// Helpers for the real-broker tests of mirror/offsets: a flow from config text, and "mirroring" done by
// hand — records produced to a source topic and the same records to its remote topic, with the
// ForwardedBatch values a partition forwarder would report for them, built from the produce results;
// and two one-node clusters to run them on.
import pino from 'pino';
import { Admin, parseProperties, Producer } from '../../../client/index.js';
import { startBroker, type BrokerProcess } from '../../helpers/launcher.js';
import { FlowPolicy, parseMirrorConfig, type FlowConfig, type ForwardedBatch } from '../../../mirror/index.js';

export const silentLogger = pino({ level: 'silent' });

/** Keys every test flow has: single-node clusters, short intervals. */
export const TEST_FLOW_KEYS: Readonly<Record<string, string>> = {
  'replication.factor': '1',
  'offset-syncs.topic.replication.factor': '1',
  'checkpoints.topic.replication.factor': '1',
  'heartbeats.topic.replication.factor': '1',
  'offset.storage.replication.factor': '1',
};

/** The flow A->B (or, with `pair`, B->A: a heartbeat-only pair) of a config with these clusters and keys. */
export function flowOf(clusters: { A: string; B: string }, keys: Record<string, string> = {}, pair: 'A->B' | 'B->A' = 'A->B'): { flow: FlowConfig; policy: FlowPolicy } {
  const config = parseMirrorConfig(parseProperties(mirrorConfigText(clusters, keys)), 'test.properties');
  const flow = [...config.flows, ...config.heartbeatOnlyFlows].find((f) => `${f.source}->${f.target}` === pair)!;
  return { flow, policy: new FlowPolicy(flow) };
}

/**
 * Produces `count` records to the source partition and the same records to the remote partition, in
 * chunks of `batchSize` (each chunk one ForwardedBatch, as if forwarded whole), and returns the batches.
 */
export async function mirrorByHand(
  source: Producer, target: Producer, topics: { source: string; remote: string }, partition: number, count: number, batchSize: number, tag = 'r',
): Promise<ForwardedBatch[]> {
  const batches: ForwardedBatch[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const records = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => ({ partition, value: `${tag}-${start + i}` }));
    const up = await source.sendBatch(topics.source, records);
    const down = await target.sendBatch(topics.remote, records);
    batches.push(forwardedBatch(topics, partition, up.map((m) => m.offset), down.map((m) => m.offset)));
  }
  return batches;
}

export function forwardedBatch(topics: { source: string; remote: string }, partition: number, upstream: number[], downstream: number[]): ForwardedBatch {
  const now = Date.now();
  return {
    sourceTopic: topics.source,
    remoteTopic: topics.remote,
    partition,
    upstreamOffset: upstream[0]!,
    lastUpstreamOffset: upstream[upstream.length - 1]!,
    downstreamOffset: downstream[0]!,
    lastDownstreamOffset: downstream[downstream.length - 1]!,
    recordCount: upstream.length,
    bytes: 0,
    firstTimestamp: now,
    maxTimestamp: now,
    acknowledgedAtMs: now,
    whole: true,
  };
}

/** Polls `probe` until it returns a value other than undefined, failing after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An mm2.properties for clusters A and B with the test keys, `keys` and the flows enabled. */
export function mirrorConfigText(clusters: { A: string; B: string }, keys: Record<string, string> = {}, flows: readonly string[] = ['A->B']): string {
  return [
    'clusters = A, B',
    `A.bootstrap.servers = ${clusters.A}`,
    `B.bootstrap.servers = ${clusters.B}`,
    ...flows.map((f) => `${f}.enabled = true`),
    ...Object.entries({ ...TEST_FLOW_KEYS, ...keys }).map(([k, v]) => `${k} = ${v}`),
  ].join('\n');
}

/** Two one-node clusters, A and B, with an admin and a producer on each. */
export interface TwoClusters {
  a: BrokerProcess;
  b: BrokerProcess;
  adminA: Admin;
  adminB: Admin;
  producerA: Producer;
  producerB: Producer;
}

export async function startTwoClusters(): Promise<TwoClusters> {
  const [a, b] = await Promise.all([startBroker(), startBroker()]);
  return {
    a, b,
    adminA: new Admin({ 'bootstrap.servers': a.address }),
    adminB: new Admin({ 'bootstrap.servers': b.address }),
    producerA: new Producer({ 'bootstrap.servers': a.address, 'linger.ms': 0 }),
    producerB: new Producer({ 'bootstrap.servers': b.address, 'linger.ms': 0 }),
  };
}

export async function stopTwoClusters(c: TwoClusters): Promise<void> {
  await Promise.all([c.producerA.close(), c.producerB.close(), c.adminA.close(), c.adminB.close()]);
  await Promise.all([c.a.stop(), c.b.stop()]);
}
