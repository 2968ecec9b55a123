// What every request handler may use: this node's identity and settings, the topics and their logs,
// the fetch purgatory, the replicas, producer ids, the group coordinator, the way to the active
// controller, the cluster view, and the traffic counters. Built once per node.
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import type { ControllerChannel } from '../controller/index.js';
import type { ProducerIdBlocks } from '../cluster/producer-id-blocks.js';
import type { MetadataState } from '../quorum/metadata-state.js';
import type { QuorumView } from '../quorum/quorum-view.js';
import type { GroupCoordinator } from '../groups/index.js';
import type { Purgatory, ReplicaManager } from '../replication/index.js';
import type { TopicManager } from './topic-manager.js';

/** Traffic counters the handlers report to; the metrics module implements it. */
export interface TrafficObserver {
  produced(topic: string, records: number, bytes: number): void;
  fetched(topic: string, bytes: number): void;
}

export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly clusterId: string;
  /** The address clients are given; its port is filled in once the listener is bound (port 0). */
  readonly advertised: { host: string; port: number };
  readonly topics: TopicManager;
  /** Consumer fetches waiting for records below the high watermark. */
  readonly purgatory: Purgatory;
  /** This node's replicas: leaderships (produce, acks=all, high watermarks) and follower fetching. */
  readonly replicas: ReplicaManager;
  readonly producerIds: ProducerIdBlocks;
  /** The consumer group coordinator (the Groups service). */
  readonly groups: GroupCoordinator;
  /** Admin writes and broker lifecycle calls to the active controller. */
  readonly controller: ControllerChannel;
  /** The metadata this node has applied. */
  readonly metadata: MetadataState;
  readonly quorum: QuorumView;
  /** Whether this node has the broker role (it hosts partitions and registers with the controller). */
  readonly isBroker: boolean;
  readonly traffic: TrafficObserver;
  readonly logger: Logger;
}
