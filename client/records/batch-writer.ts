// Writes a whole RecordBatch v2: records into one preallocated buffer, then (if asked) the records
// section compressed, then the 61-byte header and the CRC32C over attributes..end.
import {
  ATTRIBUTES,
  BASE_SEQUENCE,
  BASE_TIMESTAMP,
  BATCH_LENGTH,
  CONTROL_MASK,
  CRC,
  DELETE_HORIZON_MASK,
  CURRENT_MAGIC,
  CompressionType,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP_POSITION,
  PARTITION_LEADER_EPOCH,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  RECORD_BATCH_OVERHEAD,
  RECORD_COUNT,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_MASK,
  TimestampType,
  computeBatchCrc,
  setBaseOffset,
  writeInt64,
} from './batch-header.js';
import { compress } from './compression.js';
import { type EncodableRecord, encodedRecordSize, writeRecord } from './record-writer.js';

/** Every header field a writer chooses (batch length, magic and CRC follow from the bytes). */
export interface BatchHeaderFields {
  baseOffset: number;
  partitionLeaderEpoch: number;
  compression: CompressionType;
  timestampType: TimestampType;
  transactional: boolean;
  control: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** baseTimestamp is the delete horizon the log cleaner set (KIP-534); only the cleaner sets this. */
  deleteHorizon?: boolean;
}

export function batchAttributes(fields: {
  compression: CompressionType;
  timestampType: TimestampType;
  transactional: boolean;
  control: boolean;
  deleteHorizon?: boolean;
}): number {
  return (
    fields.compression |
    (fields.timestampType === TimestampType.LogAppendTime ? TIMESTAMP_TYPE_MASK : 0) |
    (fields.transactional ? TRANSACTIONAL_MASK : 0) |
    (fields.control ? CONTROL_MASK : 0) |
    (fields.deleteHorizon ? DELETE_HORIZON_MASK : 0)
  );
}

/** Bytes of the uncompressed batch holding these records. */
export function uncompressedBatchSize(records: readonly EncodableRecord[], baseTimestamp: number): number {
  let size = RECORD_BATCH_OVERHEAD;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    size += encodedRecordSize(record, record.timestamp - baseTimestamp);
  }
  return size;
}

/** Writes the 61-byte header over buf (the whole batch) and then its CRC. */
export function writeBatchHeader(buf: Buffer, fields: BatchHeaderFields, recordCount: number): void {
  setBaseOffset(buf, 0, fields.baseOffset);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, BATCH_LENGTH);
  buf.writeInt32BE(fields.partitionLeaderEpoch, PARTITION_LEADER_EPOCH);
  buf[MAGIC] = CURRENT_MAGIC;
  buf.writeInt16BE(batchAttributes(fields), ATTRIBUTES);
  buf.writeInt32BE(fields.lastOffsetDelta, LAST_OFFSET_DELTA);
  writeInt64(buf, fields.baseTimestamp, BASE_TIMESTAMP);
  writeInt64(buf, fields.maxTimestamp, MAX_TIMESTAMP_POSITION);
  writeInt64(buf, fields.producerId, PRODUCER_ID);
  buf.writeInt16BE(fields.producerEpoch, PRODUCER_EPOCH);
  buf.writeInt32BE(fields.baseSequence, BASE_SEQUENCE);
  buf.writeInt32BE(recordCount, RECORD_COUNT);
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), CRC);
}

/**
 * Encodes the batch. `uncompressedSize` is uncompressedBatchSize(records, fields.baseTimestamp),
 * passed in by callers that already keep it.
 */
export function writeBatch(
  fields: BatchHeaderFields,
  records: readonly EncodableRecord[],
  uncompressedSize = uncompressedBatchSize(records, fields.baseTimestamp),
): Buffer {
  const plain = Buffer.allocUnsafe(uncompressedSize);
  let pos = RECORD_BATCH_OVERHEAD;
  const baseTimestamp = fields.baseTimestamp;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    pos = writeRecord(plain, record, record.timestamp - baseTimestamp, pos);
  }
  if (pos !== uncompressedSize) {
    throw new Error(`batch writer measured ${uncompressedSize} bytes but wrote ${pos}`);
  }
  let out = plain;
  if (fields.compression !== CompressionType.None && records.length > 0) {
    const compressed = compress(fields.compression, plain.subarray(RECORD_BATCH_OVERHEAD));
    out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + compressed.length);
    compressed.copy(out, RECORD_BATCH_OVERHEAD);
  }
  writeBatchHeader(out, fields, records.length);
  return out;
}
