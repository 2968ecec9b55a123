// broker/metadata: the cluster metadata model: the records of `__cluster_metadata`, the image they
// build, and its snapshots. Pure: no I/O, no timers. The controller's decisions live in broker/controller/.
export * from './metadata-errors.js';
export * from './metadata-records.js';
export * from './image-types.js';
export { MetadataImage, type AppliedRecord } from './metadata-image.js';
export { REQUEST_RESULTS_MAX_AGE_MS, REQUEST_RESULTS_MAX_ENTRIES, REQUEST_RESULTS_MAX_ITEMS } from './request-results.js';
