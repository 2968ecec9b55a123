// `strait mirror status --config F`: what each enabled flow of a config is doing, read from the clusters
// (no mirror process is asked): the source topics it mirrors and, per partition, the log end offset,
// the mirrored position (the newest offset sync: exact to within offset.flush.interval.ms), the lag in
// records and in seconds (the age of the oldest record not yet mirrored), the newest heartbeat the flow
// wrote into the target and those that came in through the source, and the newest checkpoint. A
// cluster that does not answer is reported in the flow's errors; the rest is still shown.
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { Consumer, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '../client/index.js';
import { ClusterClients } from './cluster-clients.js';
import type { FlowConfig, MirrorConfig } from './config/mirror-config.js';
import { MirrorMetrics } from './metrics/mirror-metrics.js';
import { HeartbeatMonitor } from './offsets/heartbeats.js';
import { decodeCheckpoint, decodeHeartbeat, type Checkpoint } from './offsets/internal-records.js';
import { OffsetSyncLog } from './offsets/offset-sync-log.js';
import { TopicReader } from './offsets/topic-reader.js';
import { FlowPolicy } from './policy/flow-policy.js';

export interface PartitionStatus {
  partition: number;
  logStartOffset: number;
  logEndOffset: number;
  /** The next source offset known mirrored (newest offset sync + 1); undefined before any sync. */
  mirroredOffset: number | undefined;
  lagRecords: number;
  /** Age of the oldest record not yet mirrored; 0 when caught up; undefined when it could not be read. */
  lagSeconds: number | undefined;
}

export interface TopicStatus {
  topic: string;
  remoteTopic: string;
  remoteExists: boolean;
  partitions: PartitionStatus[];
}

export interface FlowStatus {
  source: string;
  target: string;
  topics: TopicStatus[];
  /** The newest heartbeat this flow wrote into the target's heartbeats topic. */
  lastHeartbeatMs: number | undefined;
  /** The newest heartbeat per origin cluster that came in through the source (`<source>.heartbeats`, ...). */
  upstreamHeartbeats: { origin: string; timestampMs: number }[];
  /** The newest checkpoint in `<source>.checkpoints.internal` on the target, with when it was written. */
  lastCheckpoint: { checkpoint: Checkpoint; writtenAtMs: number } | undefined;
  errors: string[];
}

export interface StatusOptions {
  timeoutMs?: number;
  logger: Logger;
}

export async function mirrorStatus(config: MirrorConfig, options: StatusOptions): Promise<FlowStatus[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clients = new ClusterClients(config, timeoutMs);
  try {
    const statuses: FlowStatus[] = [];
    for (const flow of config.flows) statuses.push(await flowStatus(flow, clients, timeoutMs, options.logger));
    return statuses;
  } finally {
    await clients.close();
  }
}

async function flowStatus(flow: FlowConfig, clients: ClusterClients, timeoutMs: number, logger: Logger): Promise<FlowStatus> {
  const policy = new FlowPolicy(flow);
  const status: FlowStatus = { source: flow.source, target: flow.target, topics: [], lastHeartbeatMs: undefined, upstreamHeartbeats: [], lastCheckpoint: undefined, errors: [] };
  const attempt = async (what: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (err) {
      status.errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  await attempt(`topics of ${flow.source}`, async () => { status.topics = await topicStatuses(flow, policy, clients, timeoutMs, logger); });
  const target = clients.admin(flow.target);
  await attempt(`heartbeats on ${flow.target}`, async () => {
    const topics = await target.listTopics({ includeInternal: true });
    if (topics.includes(policy.heartbeatsTopic())) {
      await readWhole(policy.heartbeatsTopic(), flow.target, clients, timeoutMs, logger, (r) => {
        const h = decodeHeartbeat(r.key, r.value);
        if (h.source === flow.source && h.target === flow.target && h.timestampMs > (status.lastHeartbeatMs ?? -1)) status.lastHeartbeatMs = h.timestampMs;
      });
    }
    const monitor = new HeartbeatMonitor({
      flow, policy, targetAdmin: target, targetConsumer: clients.consumerOptions(flow.target),
      metrics: new MirrorMetrics(new Registry(), { defaultMetrics: false }).flow(flow.source, flow.target), logger,
    });
    try {
      await monitor.runNow();
      status.upstreamHeartbeats = [...monitor.newestHeartbeats()].map(([origin, timestampMs]) => ({ origin, timestampMs })).sort((x, y) => (x.origin < y.origin ? -1 : 1));
    } finally {
      await monitor.stop();
    }
  });
  await attempt(`checkpoints on ${flow.target}`, async () => {
    if (!(await target.listTopics({ includeInternal: true })).includes(policy.checkpointsTopic())) return;
    await readWhole(policy.checkpointsTopic(), flow.target, clients, timeoutMs, logger, (r) => {
      const checkpoint = decodeCheckpoint(r.key, r.value);
      if (!status.lastCheckpoint || r.timestamp >= status.lastCheckpoint.writtenAtMs) status.lastCheckpoint = { checkpoint, writtenAtMs: r.timestamp };
    });
  });
  return status;
}

async function topicStatuses(flow: FlowConfig, policy: FlowPolicy, clients: ClusterClients, timeoutMs: number, logger: Logger): Promise<TopicStatus[]> {
  const source = clients.admin(flow.source);
  const names = (await source.listTopics()).filter((t) => policy.shouldReplicateTopic(t));
  if (names.length === 0) return [];
  const remoteTopics = new Set(await clients.admin(flow.target).listTopics({ includeInternal: true }).catch(() => [] as string[]));
  const described = await source.describeTopics(names);
  const queries = described.flatMap((d) => d.partitions.map((p) => ({ topic: d.name, partition: p.partition })));
  const [starts, ends] = await Promise.all([
    source.listOffsets(queries.map((q) => ({ ...q, timestamp: EARLIEST_TIMESTAMP }))),
    source.listOffsets(queries.map((q) => ({ ...q, timestamp: LATEST_TIMESTAMP }))),
  ]);
  const syncsCluster = policy.offsetSyncsCluster();
  const syncs = new OffsetSyncLog({ flow, policy, admin: clients.admin(syncsCluster), consumer: clients.consumerOptions(syncsCluster), logger, createTopic: false });
  try {
    await syncs.catchUp(timeoutMs);
  } finally {
    await syncs.close();
  }
  const byTopic = new Map<string, TopicStatus>(names.map((topic) => [topic, { topic, remoteTopic: policy.remoteTopic(topic), remoteExists: remoteTopics.has(policy.remoteTopic(topic)), partitions: [] }]));
  const unmirrored: { topic: string; partition: number; offset: number; status: PartitionStatus }[] = [];
  queries.forEach((q, i) => {
    const newest = syncs.store.syncsOf(q.topic, q.partition).at(-1);
    const mirroredOffset = newest ? newest.upstream + 1 : undefined;
    const logStartOffset = starts[i]!.offset;
    const logEndOffset = ends[i]!.offset;
    const from = Math.max(mirroredOffset ?? logStartOffset, logStartOffset);
    const status: PartitionStatus = { partition: q.partition, logStartOffset, logEndOffset, mirroredOffset, lagRecords: Math.max(0, logEndOffset - from), lagSeconds: 0 };
    if (status.lagRecords > 0) {
      status.lagSeconds = undefined;
      unmirrored.push({ ...q, offset: from, status });
    }
    byTopic.get(q.topic)!.partitions.push(status);
  });
  await fillLagSeconds(unmirrored, clients.consumerOptions(flow.source), timeoutMs);
  for (const t of byTopic.values()) t.partitions.sort((x, y) => x.partition - y.partition);
  return [...byTopic.values()];
}

/** Reads the timestamp of the first record not yet mirrored of each partition. */
async function fillLagSeconds(
  partitions: { topic: string; partition: number; offset: number; status: PartitionStatus }[],
  consumerOptions: ReturnType<ClusterClients['consumerOptions']>,
  timeoutMs: number,
): Promise<void> {
  if (partitions.length === 0) return;
  const consumer = new Consumer({ ...consumerOptions, 'enable.auto.commit': false, 'auto.offset.reset': 'earliest', 'max.poll.records': 1000 });
  try {
    consumer.assign(partitions.map(({ topic, partition }) => ({ topic, partition })));
    for (const p of partitions) consumer.seek({ topic: p.topic, partition: p.partition }, p.offset);
    const waiting = new Map(partitions.map((p) => [`${p.topic}\u0000${p.partition}`, p]));
    const deadline = Date.now() + timeoutMs;
    while (waiting.size > 0 && Date.now() < deadline) {
      for (const r of await consumer.poll(200)) {
        const key = `${r.topic}\u0000${r.partition}`;
        const p = waiting.get(key);
        if (!p) continue;
        p.status.lagSeconds = Math.max(0, Date.now() - r.timestamp) / 1000;
        waiting.delete(key);
        consumer.pause([{ topic: r.topic, partition: r.partition }]);
      }
    }
  } finally {
    await consumer.close();
  }
}

async function readWhole(topic: string, alias: string, clients: ClusterClients, timeoutMs: number, logger: Logger, onRecord: ConstructorParameters<typeof TopicReader>[0]['onRecord']): Promise<void> {
  const reader = new TopicReader({ topic, admin: clients.admin(alias), consumer: clients.consumerOptions(alias), logger, onRecord });
  try {
    await reader.readToEnd(timeoutMs);
  } finally {
    await reader.close();
  }
}
