// The mirror module's public face: the config model (mirror/config), the pure replication rules
// (mirror/policy), the metrics, a flow at run time (mirror/flow: MirrorFlow and the FlowExtension
// seam the offsets parts plug into) and the `strait mirror` process. cli/ imports only this.
export {
  loadMirrorConfigFile, parseMirrorConfig,
  type MirrorConfig, type ClusterSettings, type FlowConfig, type MirrorConfigWarning, type ReplicationPolicyName,
} from './config/mirror-config.js';
export { MirrorConfigError } from './config/mirror-config-error.js';
export {
  DefaultReplicationPolicy, IdentityReplicationPolicy, replicationPolicyFor,
  type ReplicationPolicy, type ReplicationPolicyOptions,
} from './policy/replication-policy.js';
export { isCycle } from './policy/cycles.js';
export { matchesAny, topicFilterAccepts, groupFilterAccepts, configPropertyFilterAccepts } from './policy/filters.js';
export { countHopsForTopic, replicationHops, upstreamClusters } from './policy/remote-clusters.js';
export { FlowPolicy } from './policy/flow-policy.js';
export { MirrorMetrics, FlowMetrics } from './metrics/mirror-metrics.js';
export type { ForwardedBatch, ForwardListener } from './flow/forwarded-batch.js';
export { runMirrorProcess, selectFlows, type MirrorProcessOptions } from './mirror-process.js';
export {
  MirrorFlow, type MirrorFlowOptions, type FlowContext, type FlowClients, type FlowTask, type FlowExtension, type FlowExtensionFactory,
} from './flow/mirror-flow.js';
export { workerGroupId } from './flow/flow-workers.js';
export type { MirroredTopic } from './flow/topic-sync.js';
