// Kafka RecordBatch v2 header: field positions and the checks every holder of batch bytes makes.
// The broker uses these to validate, stamp offsets and index batches without decoding records.
//
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
//   attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
//   producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records...
//
// attributes: bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control, 6 delete horizon.
//
// batchLength counts the bytes after itself; the CRC32C covers attributes through the end, so the
// broker can rewrite baseOffset and partitionLeaderEpoch without touching the CRC.
import { crc32c } from '@node-rs/crc32';

export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
/** Named apart from the ListOffsets query MAX_TIMESTAMP (-3), which the client's entry also exports. */
export const MAX_TIMESTAMP_POSITION = 35;
export const PRODUCER_ID = 43;
export const PRODUCER_EPOCH = 51;
export const BASE_SEQUENCE = 53;
export const RECORD_COUNT = 57;
/** Size of the header; records start here. */
export const RECORD_BATCH_OVERHEAD = 61;
/** baseOffset + batchLength: the part of the header not counted by batchLength. */
export const LOG_OVERHEAD = 12;
export const CURRENT_MAGIC = 2;

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_MASK = 0x10;
export const CONTROL_MASK = 0x20;
/** KIP-534: the log cleaner set baseTimestamp to the batch's delete horizon (record timestamp deltas
 * are relative to it, so record timestamps read the same). Producers never set it. */
export const DELETE_HORIZON_MASK = 0x40;
/** The attribute bits v2 batches from producers may use; the rest are unused (bit 6, the delete
 * horizon, is the log cleaner's alone). */
export const ATTRIBUTE_BITS_IN_USE = COMPRESSION_MASK | TIMESTAMP_TYPE_MASK | TRANSACTIONAL_MASK | CONTROL_MASK;

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}

export interface BatchHeader {
  baseOffset: number;
  /** Total bytes of the batch on the wire and on disk (LOG_OVERHEAD + batchLength). */
  sizeInBytes: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

const TWO_32 = 2 ** 32;

/** int64 as a JS number; offsets, timestamps and producer ids stay below 2^53 (checked). */
export function readInt64(buf: Buffer, pos: number): number {
  const hi = buf.readInt32BE(pos);
  const lo = buf.readUInt32BE(pos + 4);
  const value = hi * TWO_32 + lo;
  if (!Number.isSafeInteger(value)) throw new RangeError(`int64 at ${pos} is outside the safe integer range`);
  return value;
}

export function writeInt64(buf: Buffer, value: number, pos: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * TWO_32, pos + 4);
}

export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  return {
    baseOffset: readInt64(buf, pos + BASE_OFFSET),
    sizeInBytes: LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH),
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(pos + MAGIC),
    crc: buf.readUInt32BE(pos + CRC),
    attributes: buf.readInt16BE(pos + ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA),
    baseTimestamp: readInt64(buf, pos + BASE_TIMESTAMP),
    maxTimestamp: readInt64(buf, pos + MAX_TIMESTAMP_POSITION),
    producerId: readInt64(buf, pos + PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE),
    recordCount: buf.readInt32BE(pos + RECORD_COUNT),
  };
}

export function batchCompression(attributes: number): CompressionType {
  return (attributes & COMPRESSION_MASK) as CompressionType;
}

export function batchIsTransactional(attributes: number): boolean {
  return (attributes & TRANSACTIONAL_MASK) !== 0;
}

export function batchIsControl(attributes: number): boolean {
  return (attributes & CONTROL_MASK) !== 0;
}

export function batchHasDeleteHorizon(attributes: number): boolean {
  return (attributes & DELETE_HORIZON_MASK) !== 0;
}

/** The time from which the cleaner may drop this batch's tombstones, or undefined when it has not
 * passed the batch yet (KIP-534). */
export function batchDeleteHorizon(header: BatchHeader): number | undefined {
  return batchHasDeleteHorizon(header.attributes) ? header.baseTimestamp : undefined;
}

export function batchTimestampType(attributes: number): TimestampType {
  return attributes & TIMESTAMP_TYPE_MASK ? TimestampType.LogAppendTime : TimestampType.CreateTime;
}

/** CRC32C over attributes..end of the batch at pos, of the given total size. */
export function computeBatchCrc(buf: Buffer, pos: number, sizeInBytes: number): number {
  return crc32c(buf.subarray(pos + ATTRIBUTES, pos + sizeInBytes));
}

export type BatchProblem =
  | { kind: 'truncated'; message: string }
  | { kind: 'corrupt'; message: string }
  | { kind: 'unsupported-magic'; message: string };

/**
 * Checks the frame of the batch that starts at pos: enough bytes for the header and for batchLength,
 * and magic 2. Returns the batch's total size, or a problem. Nothing inside the frame is judged.
 */
export function checkBatchFrame(buf: Buffer, pos: number): { size: number } | BatchProblem {
  const remaining = buf.length - pos;
  if (remaining < RECORD_BATCH_OVERHEAD) {
    return { kind: 'truncated', message: `${remaining} bytes left, a batch header needs ${RECORD_BATCH_OVERHEAD}` };
  }
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH);
  const size = LOG_OVERHEAD + batchLength;
  if (batchLength < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) {
    return { kind: 'corrupt', message: `batch length ${batchLength} is smaller than a batch header` };
  }
  if (size > remaining) {
    return { kind: 'truncated', message: `batch of ${size} bytes but only ${remaining} bytes left` };
  }
  const magic = buf.readInt8(pos + MAGIC);
  if (magic !== CURRENT_MAGIC) {
    return { kind: 'unsupported-magic', message: `magic ${magic}, only ${CURRENT_MAGIC} is supported` };
  }
  return { size };
}

/** The CRC problem of the batch at pos of the given size, or undefined when the stored CRC is right. */
export function checkBatchCrc(buf: Buffer, pos: number, size: number): BatchProblem | undefined {
  const stored = buf.readUInt32BE(pos + CRC);
  const actual = computeBatchCrc(buf, pos, size);
  if (stored === actual) return undefined;
  return { kind: 'corrupt', message: `CRC mismatch: stored ${stored.toString(16)}, computed ${actual.toString(16)}` };
}

/**
 * Checks the batch that starts at pos: its frame (checkBatchFrame), a sane record count and
 * lastOffsetDelta, and the CRC. Returns the batch's total size, or a problem.
 */
export function checkBatch(buf: Buffer, pos: number, verifyCrc = true): { size: number } | BatchProblem {
  const frame = checkBatchFrame(buf, pos);
  if ('kind' in frame) return frame;
  const { size } = frame;
  const recordCount = buf.readInt32BE(pos + RECORD_COUNT);
  const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA);
  if (recordCount < 0 || lastOffsetDelta < 0 || (recordCount > 0 && lastOffsetDelta < recordCount - 1)) {
    return { kind: 'corrupt', message: `record count ${recordCount} does not fit last offset delta ${lastOffsetDelta}` };
  }
  // An uncompressed record takes at least 7 bytes (length, attributes, three varints, key/value lengths,
  // header count). Compressed records can take less than a byte each, so only the decoder can judge those.
  const compressed = (buf.readInt16BE(pos + ATTRIBUTES) & COMPRESSION_MASK) !== CompressionType.None;
  if (!compressed && recordCount > (size - RECORD_BATCH_OVERHEAD)) {
    return { kind: 'corrupt', message: `record count ${recordCount} cannot fit in ${size - RECORD_BATCH_OVERHEAD} bytes` };
  }
  return verifyCrc ? checkBatchCrc(buf, pos, size) ?? frame : frame;
}

/** Positions and sizes of the whole batches in buf, stopping at the first incomplete one (no CRC check). */
export function* batchPositions(buf: Buffer): Generator<{ position: number; size: number }> {
  let pos = 0;
  while (buf.length - pos >= LOG_OVERHEAD) {
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH);
    if (size < RECORD_BATCH_OVERHEAD || pos + size > buf.length) return;
    yield { position: pos, size };
    pos += size;
  }
}

export function setBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  writeInt64(buf, baseOffset, pos + BASE_OFFSET);
}

export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + PARTITION_LEADER_EPOCH);
}

export function lastOffsetOf(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + BASE_OFFSET) + buf.readInt32BE(pos + LAST_OFFSET_DELTA);
}
