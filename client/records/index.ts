// Public face of the records folder: the RecordBatch v2 header, codec, compression and record model.
export * from './batch-header.js';
export * from './record.js';
export * from './record-batch.js';
export * from './compression.js';
export { type RecordsWalk, walkBatchRecords, walkRecords } from './record-validation.js';
export { SnappyFramingError } from './snappy-xerial.js';
export { type BatchHeaderFields, batchAttributes } from './batch-writer.js';
export { concatRecordBatches, isConcatenable } from './batch-concat.js';
