// What the client knows about the cluster: brokers, and per topic the partitions with their leaders.
// Pure: fed Metadata responses and a clock reading; the Cluster decides when to refresh it.
import type { MetadataResponse__Output } from '../wire/generated/strait/v1/MetadataResponse.js';
import { ErrorCode } from '../errors.js';
import { formatAddress } from './bootstrap.js';

export interface PartitionInfo {
  partition: number;
  /** -1 while there is no leader. */
  leaderId: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  topicId: string;
  isInternal: boolean;
  /** Indexed by partition number. */
  partitions: PartitionInfo[];
}

export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string;
  address: string;
}

export class MetadataCache {
  private readonly topicInfo = new Map<string, TopicInfo>();
  private readonly topicErrors = new Map<string, number>();
  private readonly nodes = new Map<number, BrokerNode>();
  clusterId = '';
  controllerId = -1;
  /** Clock reading of the last update; 0 means never (or marked stale). */
  private updatedAt = 0;

  /** Applies a response. Topics it names replace what we had; errored topics are dropped. */
  update(response: MetadataResponse__Output, now: number): void {
    if (response.brokers.length > 0) {
      this.nodes.clear();
      for (const b of response.brokers) {
        this.nodes.set(b.nodeId, {
          nodeId: b.nodeId,
          host: b.host,
          port: b.port,
          rack: b.rack,
          address: formatAddress({ host: b.host, port: b.port }),
        });
      }
    }
    this.clusterId = response.clusterId;
    this.controllerId = response.controllerId;
    for (const t of response.topics) {
      if (t.errorCode !== ErrorCode.NONE) {
        this.topicInfo.delete(t.name);
        this.topicErrors.set(t.name, t.errorCode);
        continue;
      }
      this.topicErrors.delete(t.name);
      const partitions: PartitionInfo[] = [];
      for (const p of t.partitions) {
        partitions[p.partition] = {
          partition: p.partition,
          leaderId: p.errorCode === ErrorCode.LEADER_NOT_AVAILABLE ? -1 : p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          errorCode: p.errorCode,
        };
      }
      // A response with holes in the partition list is treated as missing those partitions' leaders.
      for (let i = 0; i < partitions.length; i++) {
        partitions[i] ??= { partition: i, leaderId: -1, leaderEpoch: -1, replicas: [], isr: [], offlineReplicas: [], errorCode: ErrorCode.LEADER_NOT_AVAILABLE };
      }
      this.topicInfo.set(t.name, { name: t.name, topicId: t.topicId, isInternal: t.isInternal, partitions });
    }
    this.updatedAt = now;
  }

  topic(name: string): TopicInfo | undefined {
    return this.topicInfo.get(name);
  }

  /** The error the last response gave for a topic (e.g. UNKNOWN_TOPIC_OR_PARTITION), if any. */
  topicError(name: string): number | undefined {
    return this.topicErrors.get(name);
  }

  partitionCount(topic: string): number | undefined {
    return this.topicInfo.get(topic)?.partitions.length;
  }

  partition(topic: string, partition: number): PartitionInfo | undefined {
    return this.topicInfo.get(topic)?.partitions[partition];
  }

  /** The leader's node id, or undefined while unknown or without a leader. */
  leaderFor(topic: string, partition: number): number | undefined {
    const p = this.partition(topic, partition);
    return p && p.leaderId >= 0 ? p.leaderId : undefined;
  }

  /** The leader's host:port, or undefined when the leader or its address is unknown. */
  leaderAddress(topic: string, partition: number): string | undefined {
    const leader = this.leaderFor(topic, partition);
    return leader === undefined ? undefined : this.nodes.get(leader)?.address;
  }

  broker(nodeId: number): BrokerNode | undefined {
    return this.nodes.get(nodeId);
  }

  brokers(): BrokerNode[] {
    return [...this.nodes.values()];
  }

  isStale(now: number, maxAgeMs: number): boolean {
    return this.updatedAt === 0 || now - this.updatedAt >= maxAgeMs;
  }

  /** Forces the next access to refresh (after NOT_LEADER_OR_FOLLOWER and the like). */
  markStale(): void {
    this.updatedAt = 0;
  }
}
