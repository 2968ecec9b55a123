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

/**
 * One batch holding every record of `batches` in order (offsets 0..n-1, timestamps kept, no producer
 * fields). Each must be a whole batch isConcatenable accepts; anything else throws INVALID_RECORD, a
 * record frame that does not parse CORRUPT_MESSAGE.
 */
export function concatRecordBatches(batches: readonly Buffer[]): Buffer {
  if (batches.length === 0 || batches.length > 0xffff) throw new StraitError(ErrorCode.INVALID_RECORD, `${batches.length} batches: joining takes 1 to 65535`);
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
  // Per record: where its key/value/headers bytes are and its new deltas, in flat arrays (no object
  // per record); then one buffer of the exact size.
  const count = headers.reduce((n, h) => n + h.recordCount, 0);
  const sourceOf = new Uint16Array(count);
  const restStarts = new Float64Array(count);
  const restEnds = new Float64Array(count);
  const attributes = new Uint8Array(count);
  const timestampDeltas = new Float64Array(count);
  let size = RECORD_BATCH_OVERHEAD;
  let n = 0;
  batches.forEach((buf, i) => {
    const header = headers[i]!;
    const reader = new VarintReader(buf, RECORD_BATCH_OVERHEAD, buf.length);
    for (let r = 0; r < header.recordCount; r++, n++) {
      const length = reader.readVarint();
      const bodyStart = reader.pos;
      const bodyEnd = bodyStart + length;
      if (length < 1 || bodyEnd > buf.length) throw new StraitError(ErrorCode.CORRUPT_MESSAGE, `record of ${length} bytes at ${bodyStart - 1} does not fit its batch`);
      attributes[n] = buf[bodyStart]!;
      reader.pos = bodyStart + 1;
      const timestampDelta = header.baseTimestamp + reader.readVarlong() - baseTimestamp;
      reader.readVarint();
      if (reader.pos > bodyEnd) throw new StraitError(ErrorCode.CORRUPT_MESSAGE, `record at ${bodyStart - 1} is shorter than its header`);
      sourceOf[n] = i;
      restStarts[n] = reader.pos;
      restEnds[n] = bodyEnd;
      timestampDeltas[n] = timestampDelta;
      const body = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(n) + (bodyEnd - reader.pos);
      size += sizeOfVarint(body) + body;
      reader.pos = bodyEnd;
    }
  });
  const out = Buffer.allocUnsafe(size);
  let pos = RECORD_BATCH_OVERHEAD;
  for (let k = 0; k < count; k++) {
    const rest = restEnds[k]! - restStarts[k]!;
    const body = 1 + sizeOfVarlong(timestampDeltas[k]!) + sizeOfVarint(k) + rest;
    pos = writeVarint(out, body, pos);
    out[pos++] = attributes[k]!;
    pos = writeVarlong(out, timestampDeltas[k]!, pos);
    pos = writeVarint(out, k, pos);
    pos += batches[sourceOf[k]!]!.copy(out, pos, restStarts[k]!, restEnds[k]!);
  }
  writeBatchHeader(out, {
    baseOffset: 0, partitionLeaderEpoch: NO_PARTITION_LEADER_EPOCH, compression: CompressionType.None, timestampType: TimestampType.CreateTime,
    transactional: false, control: false, lastOffsetDelta: count - 1, baseTimestamp, maxTimestamp,
    producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH, baseSequence: NO_SEQUENCE,
  }, count);
  return out;
}
