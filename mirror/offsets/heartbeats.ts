// Heartbeats (MM2's MirrorHeartbeatTask and RemoteClusterUtils). The emitter of a pair A->B writes
// (A, B, now) into B's `heartbeats` topic every emit.heartbeats.interval.seconds; it runs for every
// enabled flow and for the heartbeat-only pairs (MirrorConfig.heartbeatOnlyFlows), so that every
// cluster's `heartbeats` topic exists. Flows replicate `heartbeats` topics like any other, so B holds
// `A.heartbeats` (what was written into A, mirrored by A->B), C holds `B.A.heartbeats`, and the names
// of B's heartbeats topics say which clusters are upstream of it and how many hops away.
// The monitor of a flow A->B reads, on B, the heartbeats topics that came in through A (`A.heartbeats`,
// `A.X.heartbeats`) and reports the newest timestamp from each origin cluster (the first cluster of the
// chain) to the heartbeat-age metric: the age says how long ago the whole path from there last carried
// a record.
import type { Logger } from 'pino';
import type { Admin, ConsumerOptions, Producer } from '../../client/index.js';
import type { FlowConfig } from '../config/mirror-config.js';
import { COMPACTED, ensureTopic, type InternalTopicSpec } from '../internal-topics.js';
import type { FlowMetrics } from '../metrics/mirror-metrics.js';
import type { FlowPolicy } from '../policy/flow-policy.js';
import { replicationHops, upstreamClusters } from '../policy/remote-clusters.js';
import type { ReplicationPolicy } from '../policy/replication-policy.js';
import { decodeHeartbeat, encodeHeartbeatKey, encodeHeartbeatValue } from './internal-records.js';
import { PeriodicTask } from './periodic-task.js';
import { TopicReader } from './topic-reader.js';

/** MM2's heartbeats topic: one partition, compacted. */
export function heartbeatsTopicSpec(flow: FlowConfig, policy: FlowPolicy): InternalTopicSpec {
  return { name: policy.heartbeatsTopic(), partitions: 1, replicationFactor: flow.heartbeatsTopicReplicationFactor, configs: COMPACTED };
}

/** The cluster a heartbeats topic's chain starts at (`B.A.heartbeats` -> A); undefined for the local one. */
export function heartbeatOrigin(policy: ReplicationPolicy, topic: string): string | undefined {
  let origin: string | undefined;
  const seen = new Set<string>();
  for (let current: string | undefined = topic; current !== undefined; current = policy.upstreamTopic(current)) {
    const source = policy.topicSource(current);
    if (source === undefined || seen.has(source)) break;
    seen.add(source);
    origin = source;
  }
  return origin;
}

/** The clusters upstream of the one `admin` talks to, nearest first, from the names of its heartbeats
 * topics (RemoteClusterUtils.upstreamClusters and replicationHops). */
export async function upstreamClustersOf(admin: Admin, policy: ReplicationPolicy): Promise<{ alias: string; hops: number }[]> {
  const topics = await admin.listTopics({ includeInternal: true });
  return [...upstreamClusters(policy, topics)]
    .map((alias) => ({ alias, hops: replicationHops(policy, topics, alias) }))
    .sort((x, y) => x.hops - y.hops || (x.alias < y.alias ? -1 : 1));
}

export interface HeartbeatEmitterOptions {
  flow: FlowConfig;
  policy: FlowPolicy;
  targetAdmin: Admin;
  targetProducer: Producer;
  metrics: FlowMetrics;
  logger: Logger;
}

export class HeartbeatEmitter {
  private readonly task: PeriodicTask;

  constructor(private readonly options: HeartbeatEmitterOptions) {
    const { flow, metrics } = options;
    const logger = options.logger.child({ component: 'heartbeat-emitter', source: flow.source, target: flow.target });
    this.task = new PeriodicTask('heartbeats', flow.heartbeatsIntervalMs, () => this.beat(), () => metrics.error('heartbeat'), logger);
  }

  async start(): Promise<void> {
    await ensureTopic(this.options.targetAdmin, heartbeatsTopicSpec(this.options.flow, this.options.policy));
    this.task.start({ immediately: true });
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  private async beat(): Promise<void> {
    const { flow, policy, targetProducer } = this.options;
    const heartbeat = { source: flow.source, target: flow.target, timestampMs: Date.now() };
    await targetProducer.send(policy.heartbeatsTopic(), { partition: 0, key: encodeHeartbeatKey(heartbeat), value: encodeHeartbeatValue(heartbeat) });
  }
}

export interface HeartbeatMonitorOptions {
  flow: FlowConfig;
  policy: FlowPolicy;
  targetAdmin: Admin;
  targetConsumer: ConsumerOptions;
  metrics: FlowMetrics;
  logger: Logger;
}

export class HeartbeatMonitor {
  private readonly task: PeriodicTask;
  private readonly readers = new Map<string, TopicReader>();
  /** The newest heartbeat timestamp per origin cluster, of the topics that came in through the source. */
  private readonly newest = new Map<string, number>();
  private readonly logger: Logger;

  constructor(private readonly options: HeartbeatMonitorOptions) {
    const { flow, metrics } = options;
    this.logger = options.logger.child({ component: 'heartbeat-monitor', source: flow.source, target: flow.target });
    this.task = new PeriodicTask('heartbeat monitor', flow.heartbeatsIntervalMs, () => this.read(), () => metrics.error('heartbeat-monitor'), this.logger);
  }

  start(): void {
    this.task.start({ immediately: true });
  }

  runNow(): Promise<void> {
    return this.task.runNow();
  }

  /** Origin cluster -> newest heartbeat timestamp (ms) seen on the target through this flow's source. */
  newestHeartbeats(): ReadonlyMap<string, number> {
    return this.newest;
  }

  async stop(): Promise<void> {
    await this.task.stop();
    await Promise.all([...this.readers.values()].map((r) => r.close()));
    this.readers.clear();
  }

  private async read(): Promise<void> {
    const { flow, policy, targetAdmin, targetConsumer, metrics } = this.options;
    const replication = policy.replication;
    for (const topic of await targetAdmin.listTopics({ includeInternal: true })) {
      if (!replication.isHeartbeatsTopic(topic) || replication.topicSource(topic) !== flow.source || this.readers.has(topic)) continue;
      const origin = heartbeatOrigin(replication, topic)!;
      this.readers.set(topic, new TopicReader({
        topic,
        admin: targetAdmin,
        consumer: targetConsumer,
        logger: this.logger,
        onRecord: (r) => {
          const { timestampMs } = decodeHeartbeat(r.key, r.value);
          if (timestampMs > (this.newest.get(origin) ?? -1)) this.newest.set(origin, timestampMs);
          metrics.heartbeatSeen(origin, timestampMs);
        },
      }));
    }
    for (const reader of this.readers.values()) await reader.readToEnd(flow.adminTimeoutMs);
  }
}
