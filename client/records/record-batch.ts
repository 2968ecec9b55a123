// The RecordBatch v2 codec: encode records into a batch, decode batches (one, or all whole batches
// of a fetch response), rebuild a subset of a batch's records (log compaction), and re-stamp the
// producer fields of an encoded batch without touching its records.
import { ErrorCode, StraitError } from '../errors.js';
import {
  ATTRIBUTES,
  BASE_SEQUENCE,
  type BatchHeader,
  CRC,
  CompressionType,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  RECORD_BATCH_OVERHEAD,
  TRANSACTIONAL_MASK,
  TimestampType,
  batchCompression,
  batchIsControl,
  batchIsTransactional,
  batchTimestampType,
  checkBatch,
  computeBatchCrc,
  readBatchHeader,
  writeInt64,
} from './batch-header.js';
import { RecordBatchBuilder } from './batch-builder.js';
import { type EncodableRecord, toEncodable } from './record-writer.js';
import { uncompressedBatchSize, writeBatch } from './batch-writer.js';
import { decompress, isCompressionType } from './compression.js';
import type { BatchBuildOptions, BatchProducerFields, ConsumedRecord, ProducerRecord } from './record.js';
import { readRecords, type RecordOrigin } from './record-reader.js';

export type { RecordOrigin } from './record-reader.js';

export { RecordBatchBuilder, NO_TIMESTAMP } from './batch-builder.js';

export interface DecodedBatch {
  header: BatchHeader;
  records: ConsumedRecord[];
}

function corrupt(message: string, cause?: unknown): StraitError {
  return new StraitError(ErrorCode.CORRUPT_MESSAGE, message, cause === undefined ? undefined : { cause });
}

/**
 * Encodes records into one batch: offset deltas 0..n-1, baseTimestamp = the smallest timestamp,
 * maxTimestamp = the largest, CRC set. Records without a timestamp get the current time.
 */
export function encodeRecordBatch(records: ProducerRecord[], options: BatchBuildOptions = {}): Buffer {
  const builder = new RecordBatchBuilder({ ...options, maxBytes: Number.POSITIVE_INFINITY });
  for (const record of records) builder.tryAppend(record);
  return builder.build();
}

/**
 * Decodes the batch at pos: checks size, magic and CRC, decompresses, reads every record.
 * Anything wrong with the bytes throws StraitError(CORRUPT_MESSAGE); a codec Kafka does not define
 * throws StraitError(UNSUPPORTED_COMPRESSION_TYPE). With an origin the records also carry its topic
 * and partition (the consumer's records).
 */
export function decodeRecordBatch(buf: Buffer, pos = 0, origin?: RecordOrigin): DecodedBatch {
  const check = checkBatch(buf, pos);
  if ('kind' in check) throw corrupt(check.message);
  let header: BatchHeader;
  try {
    header = readBatchHeader(buf, pos);
  } catch (err) {
    throw corrupt(`batch header at ${pos}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  const start = pos + RECORD_BATCH_OVERHEAD;
  const end = pos + check.size;
  const compression = batchCompression(header.attributes);
  // An empty batch (log compaction keeps one for the producer state) has no records section to inflate.
  if (compression === CompressionType.None || (start === end && header.recordCount === 0)) {
    return { header, records: readRecords(buf, start, end, header, origin) };
  }
  const data = decompress(compression, buf.subarray(start, end));
  return { header, records: readRecords(data, 0, data.length, header, origin) };
}

/**
 * Decodes every whole batch in buf. A trailing partial batch (a fetch response cut at max_bytes) is
 * ignored; a corrupt batch throws.
 */
export function decodeRecordBatches(buf: Buffer): DecodedBatch[] {
  const batches: DecodedBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const check = checkBatch(buf, pos, false);
    if ('kind' in check) {
      if (check.kind === 'truncated') break;
      throw corrupt(`batch at ${pos}: ${check.message}`);
    }
    batches.push(decodeRecordBatch(buf, pos));
    pos += check.size;
  }
  return batches;
}

function invalidRecord(message: string): StraitError {
  return new StraitError(ErrorCode.INVALID_RECORD, message);
}

/**
 * Re-encodes a subset of a batch's records (log compaction) keeping baseOffset, each record's offset
 * and timestamp, the producer id/epoch/base sequence, the partition leader epoch, the timestamp type,
 * the transactional and control bits and lastOffsetDelta, as Kafka's log cleaner does. The records
 * must come from that batch, in offset order; an empty list gives an empty batch that still carries
 * the producer state.
 *
 * With a deleteHorizonMs the batch gets the delete-horizon bit and that time as its baseTimestamp
 * (KIP-534); the record timestamp deltas are written relative to it, so every record reads back the
 * timestamp it had. Without one the bit is clear and baseTimestamp is the smallest record timestamp.
 */
export function rebuildRecordBatch(header: BatchHeader, records: ConsumedRecord[], compression: CompressionType, deleteHorizonMs?: number): Buffer {
  if (!isCompressionType(compression)) {
    throw new StraitError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `compression codec ${compression} is not supported`);
  }
  if (deleteHorizonMs !== undefined && (!Number.isSafeInteger(deleteHorizonMs) || deleteHorizonMs < 0)) {
    throw new RangeError(`delete horizon ${deleteHorizonMs} is not a time in ms`);
  }
  const encodable: EncodableRecord[] = new Array(records.length);
  let minTimestamp = Number.POSITIVE_INFINITY;
  let maxTimestamp = Number.NEGATIVE_INFINITY;
  let previousDelta = -1;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const offsetDelta = record.offset - header.baseOffset;
    if (!Number.isInteger(offsetDelta) || offsetDelta <= previousDelta || offsetDelta > header.lastOffsetDelta) {
      throw invalidRecord(
        `record offset ${record.offset} is not after ${header.baseOffset + previousDelta} within the batch ` +
          `${header.baseOffset}..${header.baseOffset + header.lastOffsetDelta}`,
      );
    }
    previousDelta = offsetDelta;
    if (record.timestamp === undefined || record.timestamp === null) throw invalidRecord('record without a timestamp');
    const item = toEncodable(record, offsetDelta, record.timestamp);
    encodable[i] = item;
    if (item.timestamp < minTimestamp) minTimestamp = item.timestamp;
    if (item.timestamp > maxTimestamp) maxTimestamp = item.timestamp;
  }
  const timestampType = batchTimestampType(header.attributes);
  const empty = records.length === 0;
  const baseTimestamp = deleteHorizonMs ?? (empty ? header.baseTimestamp : minTimestamp);
  const fields = {
    baseOffset: header.baseOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    compression,
    timestampType,
    transactional: batchIsTransactional(header.attributes),
    control: batchIsControl(header.attributes),
    lastOffsetDelta: header.lastOffsetDelta,
    baseTimestamp,
    // A LogAppendTime batch's records all read their timestamp from maxTimestamp: keep it.
    maxTimestamp: empty || timestampType === TimestampType.LogAppendTime ? header.maxTimestamp : maxTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    deleteHorizon: deleteHorizonMs !== undefined,
  };
  return writeBatch(fields, encodable, uncompressedBatchSize(encodable, baseTimestamp));
}

/**
 * Re-stamps producer id, epoch, base sequence and the transactional bit of the encoded batch at pos
 * and recomputes its CRC; the records are untouched (producer retries, the mirror's batch forwarding).
 */
export function rewriteProducerFields(buf: Buffer, pos: number, fields: BatchProducerFields): void {
  const check = checkBatch(buf, pos, false);
  if ('kind' in check) throw corrupt(check.message);
  const { producerId, producerEpoch, baseSequence } = fields;
  if (!Number.isSafeInteger(producerId) || !Number.isInteger(producerEpoch) || producerEpoch < -32768 ||
      producerEpoch > 32767 || !Number.isInteger(baseSequence) || baseSequence < -(2 ** 31) || baseSequence >= 2 ** 31) {
    throw new RangeError(`producer fields out of range: id ${producerId}, epoch ${producerEpoch}, sequence ${baseSequence}`);
  }
  writeInt64(buf, fields.producerId, pos + PRODUCER_ID);
  buf.writeInt16BE(fields.producerEpoch, pos + PRODUCER_EPOCH);
  buf.writeInt32BE(fields.baseSequence, pos + BASE_SEQUENCE);
  if (fields.transactional !== undefined) {
    const attributes = buf.readInt16BE(pos + ATTRIBUTES);
    const updated = fields.transactional ? attributes | TRANSACTIONAL_MASK : attributes & ~TRANSACTIONAL_MASK;
    buf.writeInt16BE(updated, pos + ATTRIBUTES);
  }
  buf.writeUInt32BE(computeBatchCrc(buf, pos, check.size), pos + CRC);
}
