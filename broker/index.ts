// The broker module's public face.
export { startBroker, topicDefaultsOf, type RunningBroker, type StartOptions } from './server.js';
export { runBrokerProcess } from './broker-process.js';
export {
  loadBrokerConfigFile, parseBrokerConfig, brokerConfigFromMap, parseListener,
  parseQuorumVoters, type BrokerConfig, type ListenerAddress, type ParsedBrokerConfig, type QuorumVoter,
} from './config/broker-config.js';
export { BROKER_KEYS } from './config/config-keys.js';
export { BrokerCore } from './core/broker-core.js';
export type { BrokerContext, TrafficObserver } from './core/broker-context.js';
export type { TopicRecord } from './core/topic-manager.js';
export { BrokerMetrics } from './metrics/broker-metrics.js';
export { CLUSTER_METADATA_DIR } from './log/index.js';
export { readMetaProperties, writeMetaProperties, type MetaProperties } from './log/index.js';
export { isSingleVoter } from './cluster/metadata-node.js';
export { isClusterId, randomClusterId } from './cluster/cluster-id.js';
export { assignReplicas, type PlacementBroker } from './controller/index.js';
