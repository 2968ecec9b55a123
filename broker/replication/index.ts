// broker/replication: partition replication (DESIGN §7). The replica manager keeps this node's
// replicas in the roles the metadata image gives them; leaders track their followers, the ISR and
// the high watermark and answer follower fetches (leader-fetch.ts); followers fetch from their
// leaders (replica-fetcher.ts) and truncate by leader epoch (divergence.ts); produces with acks=all
// wait for the high watermark (delayed-produce.ts). Other layers import only this file.
export {
  ReplicaManager, type ReplicaManagerOptions, type ReplicaLogs, type ReplicationObserver, type LeadershipObserver,
} from './replica-manager.js';
export { PartitionLeader } from './partition-leader.js';
export { Purgatory, type DelayedOperation } from './purgatory.js';
export { type EncodedReplicaFetchResponse, encodeReplicaFetchError } from './replica-fetch-frame.js';
