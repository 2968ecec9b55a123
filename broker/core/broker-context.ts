// What every request handler may use: this node's identity and settings, the topics and their logs,
// the fetch purgatory, the producer-id allocator, and the traffic counters. Built once per broker.
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import type { FetchPurgatory } from './fetch-purgatory.js';
import type { ProducerIdManager } from './producer-id-manager.js';
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
  readonly purgatory: FetchPurgatory;
  readonly producerIds: ProducerIdManager;
  readonly traffic: TrafficObserver;
  readonly logger: Logger;
}

/** A single node leads every partition at epoch 0 and is the whole ISR. */
export const LEADER_EPOCH = 0;
