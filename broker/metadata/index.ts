// broker/metadata: the cluster metadata model (records of `__cluster_metadata`, the image they build)
// and the active controller's decisions. Pure: no I/O, no timers.
export * from './metadata-errors.js';
export * from './metadata-records.js';
export * from './image-types.js';
export { MetadataImage, type AppliedRecord } from './metadata-image.js';
export * from './placement.js';
export {
  acceptableLeaders, electLeader, electOfflinePartitions, reconcileOfflineReplicas, removeBrokersFromPartitions, type AcceptableLeader,
} from './partition-changes.js';
export * from './controller-logic.js';
