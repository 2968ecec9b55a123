// The broker module's public face.
export { startBroker, topicDefaultsOf, type RunningBroker, type StartOptions } from './server.js';
export { runBrokerProcess } from './broker-process.js';
export {
  loadBrokerConfigFile, parseBrokerConfig, brokerConfigFromMap, parseListener,
  type BrokerConfig, type ListenerAddress, type ParsedBrokerConfig,
} from './config/broker-config.js';
export { ConfigError } from './config/config-error.js';
export { BROKER_KEYS } from './config/config-keys.js';
export { parseProperties, type PropertyEntry } from './config/properties-parser.js';
export { BrokerCore } from './core/broker-core.js';
export type { BrokerContext, TrafficObserver } from './core/broker-context.js';
export type { TopicRegistry, TopicRecord } from './core/topic-registry.js';
export { BrokerMetrics } from './metrics/broker-metrics.js';
