// What a partition forwarder sends to the target for a partition's fetched source batches (pure: bytes
// in, batches out). A source batch the target will take as a producer batch goes as it is (the
// whole-batch path: no record is read; the sender later rewrites producer id, epoch, base sequence and
// the CRC): magic 2, not control, not transactional, offsets contiguous (count = lastOffsetDelta + 1;
// compaction leaves holes), CreateTime, and not starting below the position (the first batch of a fetch
// can: a fetch returns whole batches). A delete-horizon bit (KIP-534, set by the log cleaner) is
// cleared in place and the CRC fixed: baseTimestamp stays the horizon and the record deltas stay
// relative to it, so every record keeps its timestamp. Anything else is decoded and re-encoded record
// by record (key, value, headers and timestamp kept; a LogAppendTime record keeps its append time as
// its CreateTime, as MM2 writes the timestamp it read), in the source batch's codec. Control batches
// (transaction markers) are never forwarded; the position moves past them all the same.
import {
  CRC, CompressionType, DELETE_HORIZON_MASK, ErrorCode, RecordBatchBuilder, StraitError, TimestampType, ATTRIBUTES,
  batchCompression, batchHasDeleteHorizon, batchIsControl, batchIsTransactional, batchPositions, batchTimestampType,
  checkBatch, computeBatchCrc, concatRecordBatches, decodeRecordBatch, readBatchHeader, type BatchHeader, type ConsumedRecord,
} from '../../client/index.js';

/** One batch ready for Producer.sendRawBatch, with what the forwarder reports once it is acknowledged. */
export interface OutgoingBatch {
  bytes: Buffer;
  /** Source offsets of its first and last record (a re-encoded batch may span holes). */
  upstreamOffset: number;
  lastUpstreamOffset: number;
  recordCount: number;
  firstTimestamp: number;
  maxTimestamp: number;
  /** Sent as fetched (header fields rewritten), or re-encoded. */
  whole: boolean;
}

/** Why a batch cannot go as it is, or undefined when it can. */
export function reencodeReason(header: BatchHeader, position: number): string | undefined {
  if (header.baseOffset < position) return 'starts below the position';
  if (batchIsTransactional(header.attributes)) return 'transactional';
  if (header.recordCount !== header.lastOffsetDelta + 1) return 'offsets not contiguous';
  if (batchTimestampType(header.attributes) !== TimestampType.CreateTime) return 'LogAppendTime';
  return undefined;
}

/**
 * The batches to send for `records` (whole stored batches back to back, as Consumer.pollBatches gives
 * them), skipping records below `position`. Whole batches are slices of `records`, changed in place
 * only to clear a delete-horizon bit. A batch whose CRC is wrong throws CORRUPT_MESSAGE: forwarding it
 * would give it a valid CRC over bad bytes.
 */
export function prepareBatches(records: Buffer, position: number): OutgoingBatch[] {
  const out: OutgoingBatch[] = [];
  for (const { position: at, size } of batchPositions(records)) {
    const check = checkBatch(records, at, true);
    if ('kind' in check) throw new StraitError(ErrorCode.CORRUPT_MESSAGE, `fetched batch at byte ${at}: ${check.message}`);
    const header = readBatchHeader(records, at);
    const lastOffset = header.baseOffset + header.lastOffsetDelta;
    if (lastOffset < position || batchIsControl(header.attributes) || header.recordCount === 0) continue;
    if (reencodeReason(header, position) === undefined) {
      const bytes = records.subarray(at, at + size);
      if (batchHasDeleteHorizon(header.attributes)) clearDeleteHorizon(bytes);
      out.push({
        bytes, upstreamOffset: header.baseOffset, lastUpstreamOffset: lastOffset, recordCount: header.recordCount,
        firstTimestamp: header.baseTimestamp, maxTimestamp: header.maxTimestamp, whole: true,
      });
      continue;
    }
    const kept = decodeRecordBatch(records, at).records.filter((r) => r.offset >= position);
    if (kept.length > 0) out.push(reencode(kept, header));
  }
  return out;
}

function clearDeleteHorizon(batch: Buffer): void {
  batch.writeInt16BE(batch.readInt16BE(ATTRIBUTES) & ~DELETE_HORIZON_MASK, ATTRIBUTES);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), CRC);
}

/** The records as one new CreateTime batch in the source batch's codec, offsets 0..n-1. */
function reencode(records: readonly ConsumedRecord[], header: BatchHeader): OutgoingBatch {
  const builder = new RecordBatchBuilder({ compression: batchCompression(header.attributes), maxBytes: Number.POSITIVE_INFINITY });
  let first = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    builder.tryAppend({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp });
    if (r.timestamp < first) first = r.timestamp;
    if (r.timestamp > max) max = r.timestamp;
  }
  return {
    bytes: builder.build(), upstreamOffset: records[0]!.offset, lastUpstreamOffset: records[records.length - 1]!.offset,
    recordCount: records.length, firstTimestamp: first, maxTimestamp: max, whole: false,
  };
}

/** Batches from this size on go whole even behind a full window: five of them per round trip carry
 * enough, and re-framing their records would cost more than the requests it saves. */
export const JOIN_BELOW_BYTES = 32 * 1024;
/** The largest batch joining makes. */
export const MAX_JOINED_BYTES = 256 * 1024;

/** Whether the batch may be joined with its neighbours: small, and uncompressed (its records can be
 * re-framed without decompressing; every OutgoingBatch is already a CreateTime producer batch). */
export function canJoin(b: OutgoingBatch): boolean {
  return b.bytes.length < JOIN_BELOW_BYTES && batchCompression(b.bytes.readInt16BE(ATTRIBUTES)) === CompressionType.None;
}

/**
 * Consecutive batches of one partition as one (concatRecordBatches: records re-framed, not decoded),
 * for when they queue up behind the partition's in-flight window. Its upstream offsets span theirs,
 * holes between them included; it counts as re-encoded.
 */
export function joinBatches(parts: readonly OutgoingBatch[]): OutgoingBatch {
  if (parts.length === 1) return parts[0]!;
  let first = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let records = 0;
  for (const p of parts) {
    first = Math.min(first, p.firstTimestamp);
    max = Math.max(max, p.maxTimestamp);
    records += p.recordCount;
  }
  return {
    bytes: concatRecordBatches(parts.map((p) => p.bytes)), upstreamOffset: parts[0]!.upstreamOffset, lastUpstreamOffset: parts[parts.length - 1]!.lastUpstreamOffset,
    recordCount: records, firstTimestamp: first, maxTimestamp: max, whole: false,
  };
}
