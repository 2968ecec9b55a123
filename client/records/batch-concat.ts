// Joins several uncompressed producer batches of one partition into one batch without decoding their
// records: a record's frame is copied byte for byte (attributes, key, value, headers) and only its
// offset delta and timestamp delta, and so its length prefix, are written anew relative to the joined
// batch. The mirror uses it when small source batches queue up behind a partition's full in-flight
// window: one batch per request and five in flight per partition would otherwise cap a partition
// written in small batches at five of them per round trip.
import { ErrorCode, StraitError } from '../errors.js';
import {
  CompressionType, NO_PARTITION_LEADER_EPOCH, NO_PRODUCER_EPOCH, NO_PRODUCER_ID, NO_SEQUENCE, RECORD_BATCH_OVERHEAD, TimestampType,
  batchCompression, batchIsControl, batchIsTransactional, batchTimestampType, checkBatch, readBatchHeader, type BatchHeader,
} from './batch-header.js';
import { writeBatchHeader } from './batch-writer.js';
import { VarintReader, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js';

/** Whether concatRecordBatches takes this batch: uncompressed, CreateTime, not control or
 * transactional, offsets contiguous (count = lastOffsetDelta + 1), at least one record. */
export function isConcatenable(header: BatchHeader): boolean {
  return batchCompression(header.attributes) === CompressionType.None && batchTimestampType(header.attributes) === TimestampType.CreateTime &&
    !batchIsControl(header.attributes) && !batchIsTransactional(header.attributes) && header.recordCount > 0 &&
    header.recordCount === header.lastOffsetDelta + 1;
}

interface Frame {
  source: Buffer;
  /** The record's bytes after its offset delta: key, value, headers. */
  restStart: number;
  restEnd: number;
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
}

/**
 * One batch holding every record of `batches` in order (offsets 0..n-1, timestamps kept, no producer
 * fields). Each must be a whole batch isConcatenable accepts; anything else throws INVALID_RECORD, a
 * record frame that does not parse CORRUPT_MESSAGE.
 */
export function concatRecordBatches(batches: readonly Buffer[]): Buffer {
  const headers = batches.map((b) => {
    const check = checkBatch(b, 0, false);
    if ('kind' in check || check.size !== b.length) throw new StraitError(ErrorCode.INVALID_RECORD, 'not a single whole batch');
    const header = readBatchHeader(b, 0);
    if (!isConcatenable(header)) throw new StraitError(ErrorCode.INVALID_RECORD, 'only uncompressed CreateTime producer batches with contiguous offsets can be joined');
    return header;
  });
  let baseTimestamp = Number.POSITIVE_INFINITY;
  let maxTimestamp = Number.NEGATIVE_INFINITY;
  for (const h of headers) {
    baseTimestamp = Math.min(baseTimestamp, h.baseTimestamp);
    maxTimestamp = Math.max(maxTimestamp, h.maxTimestamp);
  }
  const frames: Frame[] = [];
  let size = RECORD_BATCH_OVERHEAD;
  batches.forEach((buf, i) => {
    const header = headers[i]!;
    const reader = new VarintReader(buf, RECORD_BATCH_OVERHEAD, buf.length);
    for (let r = 0; r < header.recordCount; r++) {
      const length = reader.readVarint();
      const bodyStart = reader.pos;
      const bodyEnd = bodyStart + length;
      if (length < 1 || bodyEnd > buf.length) throw new StraitError(ErrorCode.CORRUPT_MESSAGE, `record of ${length} bytes at ${bodyStart - 1} does not fit its batch`);
      const attributes = buf[bodyStart]!;
      reader.pos = bodyStart + 1;
      const timestampDelta = header.baseTimestamp + reader.readVarlong() - baseTimestamp;
      reader.readVarint();
      const offsetDelta = frames.length;
      const frame: Frame = { source: buf, restStart: reader.pos, restEnd: bodyEnd, attributes, timestampDelta, offsetDelta };
      if (frame.restStart > bodyEnd) throw new StraitError(ErrorCode.CORRUPT_MESSAGE, `record at ${bodyStart - 1} is shorter than its header`);
      frames.push(frame);
      const body = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + (bodyEnd - frame.restStart);
      size += sizeOfVarint(body) + body;
      reader.pos = bodyEnd;
    }
  });
  const out = Buffer.allocUnsafe(size);
  let pos = RECORD_BATCH_OVERHEAD;
  for (const f of frames) {
    const rest = f.restEnd - f.restStart;
    const body = 1 + sizeOfVarlong(f.timestampDelta) + sizeOfVarint(f.offsetDelta) + rest;
    pos = writeVarint(out, body, pos);
    out[pos++] = f.attributes;
    pos = writeVarlong(out, f.timestampDelta, pos);
    pos = writeVarint(out, f.offsetDelta, pos);
    pos += f.source.copy(out, pos, f.restStart, f.restEnd);
  }
  writeBatchHeader(out, {
    baseOffset: 0, partitionLeaderEpoch: NO_PARTITION_LEADER_EPOCH, compression: CompressionType.None, timestampType: TimestampType.CreateTime,
    transactional: false, control: false, lastOffsetDelta: frames.length - 1, baseTimestamp, maxTimestamp,
    producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH, baseSequence: NO_SEQUENCE,
  }, frames.length);
  return out;
}
