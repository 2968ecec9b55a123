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
export { OffsetSyncWriter, type OffsetSyncWriterOptions } from './offsets/offset-sync-writer.js';
export { OffsetSyncStore, DEFAULT_MAX_SYNCS_PER_PARTITION } from './offsets/offset-sync-store.js';
export { OffsetSyncLog, offsetSyncsTopicSpec, type OffsetSyncLogOptions } from './offsets/offset-sync-log.js';
export { PartitionSyncRules, type SyncPoint } from './offsets/sync-emission.js';
export { TopicReader, type TopicReaderOptions } from './offsets/topic-reader.js';
export {
  decodeCheckpoint, decodeHeartbeat, decodeOffsetSync, MalformedRecordError,
  type Checkpoint, type Heartbeat, type OffsetSync,
} from './offsets/internal-records.js';
export { CheckpointEmitter, checkpointsTopicSpec, type CheckpointEmitterOptions } from './offsets/checkpoint-emitter.js';
export { CheckpointLedger } from './offsets/checkpoint-ledger.js';
export { GroupOffsetSync, activeMembers, type GroupOffsetSyncOptions } from './offsets/group-offset-sync.js';
export {
  HeartbeatEmitter, HeartbeatMonitor, heartbeatOrigin, heartbeatsTopicSpec, upstreamClustersOf,
  type HeartbeatEmitterOptions, type HeartbeatMonitorOptions,
} from './offsets/heartbeats.js';
export { ClusterClients } from './cluster-clients.js';
export { failover, type FailoverRequest, type FailoverResult, type TranslatedOffset, type UntranslatedOffset, type TranslationSource } from './failover.js';
export { mirrorStatus, type FlowStatus, type TopicStatus, type PartitionStatus, type StatusOptions } from './status.js';
export { FlowOffsets, type OffsetsClients, type FlowOffsetsOptions } from './offsets/flow-offsets.js';
export { HeartbeatPairs, HEARTBEAT_DELIVERY_TIMEOUT_MS } from './offsets/heartbeat-pairs.js';
export { offsetsExtension } from './offsets/offsets-extension.js';
