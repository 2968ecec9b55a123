// broker/groups: the consumer group coordinator (DESIGN §8). Its pure parts decide (the group
// state machine consumer-group.ts, the assignors, reconciliation, the record codec, the placement
// hash, offset expiry); its shell (group-coordinator.ts, coordinator-partition.ts,
// group-membership.ts, member-stream.ts) loads __consumer_offsets partitions this node leads,
// writes through the replication layer, runs the timers and talks to members' streams. Other
// layers import only this file.
export { GroupCoordinator, type GroupCoordinatorOptions, type GroupLagEntry } from './group-coordinator.js';
export type { GroupObserver } from './coordinator-partition.js';
export { MemberStream, type GroupStreamSink } from './member-stream.js';
export { CONSUMER_OFFSETS_TOPIC, partitionForGroup } from './group-placement.js';
