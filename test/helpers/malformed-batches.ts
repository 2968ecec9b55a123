// Record batches whose CRC is right but whose contents are not a batch a producer may write, each with
// the error the leader must answer. Built byte by byte (rawRecord, rawBatch) or by editing a batch the
// SDK encoded (edited), the CRC always recomputed, so that only the validation of the contents can
// catch them. Shared by the unit test of append validation and the test against a broker process.
import {
  ATTRIBUTES, BASE_SEQUENCE, BASE_TIMESTAMP, BATCH_LENGTH, CRC, CompressionType, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAGIC,
  MAX_TIMESTAMP_POSITION, PARTITION_LEADER_EPOCH, PRODUCER_EPOCH, PRODUCER_ID, RECORD_BATCH_OVERHEAD, RECORD_COUNT, TIMESTAMP_TYPE_MASK,
  compress, computeBatchCrc, encodeRecordBatch, writeInt64,
} from '../../client/records/index.js';
import { ErrorCode } from '../../client/errors.js';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from '../../client/records/varint.js';

export const BASE_TIMESTAMP_MS = 1_700_000_000_000;

/** One record's fields; the *Length, headerCount and lengthDelta fields make it lie about itself. */
export interface RawRecord {
  offsetDelta: number;
  timestampDelta?: number;
  attributes?: number;
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: Array<{ key: Buffer | null; value: Buffer | null }>;
  /** Declared key length instead of the real one. */
  keyLength?: number;
  valueLength?: number;
  headerCount?: number;
  /** Added to the record's declared length. */
  lengthDelta?: number;
  /** Raw bytes in place of the timestamp delta varlong. */
  timestampBytes?: Buffer;
}

function varint(value: number): Buffer {
  const b = Buffer.alloc(sizeOfVarint(value));
  writeVarint(b, value, 0);
  return b;
}

function varlong(value: number): Buffer {
  const b = Buffer.alloc(sizeOfVarlong(value));
  writeVarlong(b, value, 0);
  return b;
}

function nullableBytes(bytes: Buffer | null, declared?: number): Buffer {
  return Buffer.concat([varint(declared ?? (bytes === null ? -1 : bytes.length)), bytes ?? Buffer.alloc(0)]);
}

export function rawRecord(r: RawRecord): Buffer {
  const key = r.key === undefined ? Buffer.from('k') : r.key;
  const value = r.value === undefined ? Buffer.from('v') : r.value;
  const headers = r.headers ?? [];
  const body = Buffer.concat([
    Buffer.from([r.attributes ?? 0]),
    r.timestampBytes ?? varlong(r.timestampDelta ?? 0),
    varint(r.offsetDelta),
    nullableBytes(key, r.keyLength),
    nullableBytes(value, r.valueLength),
    varint(r.headerCount ?? headers.length),
    ...headers.flatMap((h) => [nullableBytes(h.key), nullableBytes(h.value)]),
  ]);
  return Buffer.concat([varint(body.length + (r.lengthDelta ?? 0)), body]);
}

/** n well-formed records with offset deltas 0..n-1 and timestamp deltas 0. */
export function records(n: number, extra: Partial<RawRecord> = {}): RawRecord[] {
  return Array.from({ length: n }, (_, i) => ({ offsetDelta: i, value: Buffer.from(`v${i}`), ...extra }));
}

export interface RawBatchOptions {
  /** Default: the number of records. */
  recordCount?: number;
  /** Default: recordCount - 1. */
  lastOffsetDelta?: number;
  attributes?: number;
  /** Compress the records section with this codec and set it in the attributes. */
  compression?: CompressionType;
  baseTimestamp?: number;
  /** Default: the largest record timestamp, or -1. */
  maxTimestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** The records section as given, instead of the encoded records. */
  section?: Buffer;
  /** Bytes after the (uncompressed) records. */
  trailing?: Buffer;
}

/** A v2 batch written field by field from the records given, its CRC right. */
export function rawBatch(recs: RawRecord[], o: RawBatchOptions = {}): Buffer {
  let section = o.section ?? Buffer.concat([...recs.map(rawRecord), o.trailing ?? Buffer.alloc(0)]);
  if (o.compression !== undefined) section = compress(o.compression, section);
  const baseTimestamp = o.baseTimestamp ?? BASE_TIMESTAMP_MS;
  const recordCount = o.recordCount ?? recs.length;
  const maxTimestamp = o.maxTimestamp ?? Math.max(-1, ...recs.map((r) => baseTimestamp + (r.timestampDelta ?? 0)));
  const buf = Buffer.alloc(RECORD_BATCH_OVERHEAD + section.length);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, BATCH_LENGTH);
  buf.writeInt32BE(-1, PARTITION_LEADER_EPOCH);
  buf.writeInt8(2, MAGIC);
  buf.writeInt16BE((o.attributes ?? 0) | (o.compression ?? 0), ATTRIBUTES);
  buf.writeInt32BE(o.lastOffsetDelta ?? recordCount - 1, LAST_OFFSET_DELTA);
  writeInt64(buf, baseTimestamp, BASE_TIMESTAMP);
  writeInt64(buf, maxTimestamp, MAX_TIMESTAMP_POSITION);
  writeInt64(buf, o.producerId ?? -1, PRODUCER_ID);
  buf.writeInt16BE(o.producerEpoch ?? -1, PRODUCER_EPOCH);
  buf.writeInt32BE(o.baseSequence ?? -1, BASE_SEQUENCE);
  buf.writeInt32BE(recordCount, RECORD_COUNT);
  section.copy(buf, RECORD_BATCH_OVERHEAD);
  return withCrc(buf);
}

/** Recomputes the CRC of every whole batch in buf, in place; returns buf. */
export function withCrc(buf: Buffer): Buffer {
  for (let pos = 0; pos + RECORD_BATCH_OVERHEAD <= buf.length;) {
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH);
    if (size < RECORD_BATCH_OVERHEAD || pos + size > buf.length) break;
    buf.writeUInt32BE(computeBatchCrc(buf, pos, size), pos + CRC);
    pos += size;
  }
  return buf;
}

/** A copy of batch with edit applied and its CRC recomputed. */
export function edited(batch: Buffer, edit: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(batch);
  edit(copy);
  return withCrc(copy);
}

/** Three keyless-valued records as the SDK encodes them (keys k0..k2). */
export function goodBatch(): Buffer {
  return encodeRecordBatch([0, 1, 2].map((i) => ({ key: `k${i}`, value: `v${i}`, timestamp: BASE_TIMESTAMP_MS + i })));
}

export interface MalformedCase {
  name: string;
  bytes: Buffer;
  code: number;
  /** The message must name the batch and, where one is at fault, the record. */
  message: RegExp;
}

const gzipped = (recs: RawRecord[], o: RawBatchOptions = {}): Buffer => rawBatch(recs, { ...o, compression: CompressionType.Gzip });

/**
 * Malformed batches every topic refuses (CreateTime, any cleanup policy, default max.message.bytes).
 * Each holds batch 0 unless its name says otherwise.
 */
export function malformedBatches(): MalformedCase[] {
  const { CORRUPT_MESSAGE: CORRUPT, INVALID_RECORD: INVALID, INVALID_TIMESTAMP } = ErrorCode;
  const good = goodBatch();
  const cases: MalformedCase[] = [
    // The header against the records.
    { name: 'record count larger than the records inside (lastOffsetDelta to match)', bytes: rawBatch(records(3), { recordCount: 4 }), code: CORRUPT, message: /batch 0: record 3: / },
    { name: 'record count larger than the records inside', bytes: rawBatch(records(3), { recordCount: 5, lastOffsetDelta: 2 }), code: INVALID, message: /batch 0: last offset delta 2 does not match record count 5/ },
    { name: 'record count smaller than the records inside', bytes: rawBatch(records(3), { recordCount: 2 }), code: CORRUPT, message: /batch 0: .*bytes remain after the 2 records/ },
    { name: 'lastOffsetDelta 9 for 3 records', bytes: edited(good, (b) => b.writeInt32BE(9, LAST_OFFSET_DELTA)), code: INVALID, message: /batch 0: last offset delta 9 .* record count 3/ },
    { name: 'lastOffsetDelta 2^31-1 for one record', bytes: rawBatch(records(1), { lastOffsetDelta: 2 ** 31 - 1 }), code: INVALID, message: /batch 0: last offset delta 2147483647/ },
    { name: 'lastOffsetDelta 0 for 3 records', bytes: rawBatch(records(3), { lastOffsetDelta: 0 }), code: INVALID, message: /batch 0: last offset delta 0/ },
    { name: 'record count 0', bytes: rawBatch([], { recordCount: 0, lastOffsetDelta: 0 }), code: INVALID, message: /batch 0: holds no records/ },
    { name: 'record count -1', bytes: rawBatch([], { recordCount: -1, lastOffsetDelta: 0 }), code: INVALID, message: /batch 0: holds no records \(record count -1\)/ },
    { name: 'maxTimestamp below the largest record timestamp', bytes: rawBatch([{ offsetDelta: 0 }, { offsetDelta: 1, timestampDelta: 7 }], { maxTimestamp: BASE_TIMESTAMP_MS }), code: INVALID, message: /batch 0: max timestamp .* largest record timestamp is 1700000000007/ },
    { name: 'maxTimestamp above the largest record timestamp', bytes: edited(good, (b) => writeInt64(b, BASE_TIMESTAMP_MS + 1000, MAX_TIMESTAMP_POSITION)), code: INVALID, message: /batch 0: max timestamp/ },
    // Attributes.
    ...[5, 6, 7].map((codec) => ({ name: `compression codec ${codec}`, bytes: rawBatch(records(2), { attributes: codec }), code: CORRUPT, message: new RegExp(`batch 0: compression codec ${codec}`) })),
    { name: 'gzip flag over bytes that are not compressed', bytes: rawBatch(records(2), { attributes: CompressionType.Gzip }), code: CORRUPT, message: /batch 0: gzip decompression failed/ },
    { name: 'snappy flag over bytes that are not compressed', bytes: rawBatch(records(2), { attributes: CompressionType.Snappy }), code: CORRUPT, message: /batch 0: / },
    { name: 'lz4 flag over bytes that are not compressed', bytes: rawBatch(records(2), { attributes: CompressionType.Lz4 }), code: CORRUPT, message: /batch 0: lz4 decompression failed/ },
    { name: 'zstd flag over bytes that are not compressed', bytes: rawBatch(records(2), { attributes: CompressionType.Zstd }), code: CORRUPT, message: /batch 0: zstd decompression failed/ },
    { name: 'unused attribute bit 6', bytes: rawBatch(records(2), { attributes: 0x40 }), code: CORRUPT, message: /batch 0: attributes 0x40 set unused bits 0x40/ },
    { name: 'unused attribute bit 15', bytes: rawBatch(records(2), { attributes: -0x8000 }), code: CORRUPT, message: /batch 0: attributes 0x8000/ },
    { name: 'transactional bit', bytes: rawBatch(records(2), { attributes: 0x10, producerId: 7, producerEpoch: 0, baseSequence: 0 }), code: INVALID, message: /batch 0: is transactional/ },
    { name: 'control bit', bytes: rawBatch(records(1), { attributes: 0x20 }), code: INVALID, message: /batch 0: is a control batch/ },
    { name: 'LogAppendTime bit from a producer on a CreateTime topic', bytes: edited(good, (b) => b.writeInt16BE(TIMESTAMP_TYPE_MASK, ATTRIBUTES)), code: INVALID_TIMESTAMP, message: /batch 0: claims LogAppendTime/ },
    // Producer fields.
    { name: 'producer id with sequence -1', bytes: rawBatch(records(2), { producerId: 42, producerEpoch: 0, baseSequence: -1 }), code: INVALID, message: /batch 0: producer id 42, epoch 0, base sequence -1/ },
    { name: 'producer id with epoch -1', bytes: rawBatch(records(2), { producerId: 42, producerEpoch: -1, baseSequence: 0 }), code: INVALID, message: /batch 0: producer id 42, epoch -1/ },
    { name: 'no producer id but an epoch', bytes: rawBatch(records(2), { producerId: -1, producerEpoch: 3, baseSequence: -1 }), code: INVALID, message: /batch 0: producer id -1, epoch 3/ },
    { name: 'no producer id but a sequence', bytes: rawBatch(records(2), { producerId: -1, producerEpoch: -1, baseSequence: 5 }), code: INVALID, message: /batch 0: .*base sequence 5/ },
    { name: 'producer id -2', bytes: rawBatch(records(2), { producerId: -2, producerEpoch: 0, baseSequence: 0 }), code: INVALID, message: /batch 0: producer id -2/ },
    // Records that do not parse.
    { name: 'records that are all 0xff bytes', bytes: rawBatch([], { recordCount: 3, section: Buffer.alloc(60, 0xff) }), code: CORRUPT, message: /batch 0: record 0: / },
    { name: 'a record length that runs past the batch', bytes: rawBatch([{ offsetDelta: 0 }, { offsetDelta: 1, lengthDelta: 50 }]), code: CORRUPT, message: /batch 0: record 1: record length/ },
    { name: 'a record length shorter than its fields', bytes: rawBatch([{ offsetDelta: 0, lengthDelta: -2 }, { offsetDelta: 1 }]), code: CORRUPT, message: /batch 0: record 0: / },
    { name: 'a record length longer than its fields', bytes: rawBatch([{ offsetDelta: 0, lengthDelta: 1 }], { trailing: Buffer.from([0]) }), code: CORRUPT, message: /batch 0: record 0: .*declares/ },
    { name: 'a negative record length', bytes: rawBatch([], { recordCount: 1, section: Buffer.from([0x03, 0, 0, 0, 0, 0, 0, 0]) }), code: CORRUPT, message: /batch 0: record 0: record length -2/ },
    { name: 'record attributes not 0', bytes: rawBatch([{ offsetDelta: 0 }, { offsetDelta: 1, attributes: 4 }]), code: CORRUPT, message: /batch 0: record 1: attributes 4/ },
    { name: 'a timestamp delta varlong of 11 bytes', bytes: rawBatch([{ offsetDelta: 0, timestampBytes: Buffer.from([...Array(10).fill(0x80), 0]) }], { maxTimestamp: -1 }), code: CORRUPT, message: /batch 0: record 0: varlong longer than 10 bytes/ },
    { name: 'a timestamp beyond the safe integer range', bytes: rawBatch([{ offsetDelta: 0, timestampDelta: 2 ** 52 }], { baseTimestamp: 2 ** 52, maxTimestamp: 2 ** 52 }), code: CORRUPT, message: /batch 0: record 0: timestamp/ },
    { name: 'offset deltas out of order', bytes: rawBatch([{ offsetDelta: 0 }, { offsetDelta: 2 }, { offsetDelta: 1 }]), code: INVALID, message: /batch 0: record 1: offset delta 2 where 1 belongs/ },
    { name: 'offset deltas repeated', bytes: rawBatch([{ offsetDelta: 0 }, { offsetDelta: 0 }]), code: INVALID, message: /batch 0: record 1: offset delta 0 where 1 belongs/ },
    { name: 'offset deltas starting at 1', bytes: rawBatch([{ offsetDelta: 1 }, { offsetDelta: 2 }]), code: INVALID, message: /batch 0: record 0: offset delta 1/ },
    { name: 'key length -2', bytes: rawBatch([{ offsetDelta: 0, keyLength: -2 }]), code: CORRUPT, message: /batch 0: record 0: key length -2/ },
    { name: 'key length past the record', bytes: rawBatch([{ offsetDelta: 0, keyLength: 40 }]), code: CORRUPT, message: /batch 0: record 0: key of 40 bytes/ },
    { name: 'value length past the record', bytes: rawBatch([{ offsetDelta: 0 }, { offsetDelta: 1, valueLength: 9 }]), code: CORRUPT, message: /batch 0: record 1: value of 9 bytes/ },
    { name: 'header count -1', bytes: rawBatch([{ offsetDelta: 0, headerCount: -1 }]), code: CORRUPT, message: /batch 0: record 0: header count -1/ },
    { name: 'header count larger than the record', bytes: rawBatch([{ offsetDelta: 0, headerCount: 1000 }]), code: CORRUPT, message: /batch 0: record 0: header count 1000/ },
    { name: 'a null header key', bytes: rawBatch([{ offsetDelta: 0, headers: [{ key: null, value: Buffer.from('x') }] }]), code: CORRUPT, message: /batch 0: record 0: null header key/ },
    { name: 'a header value past the record', bytes: rawBatch([{ offsetDelta: 0, headers: [{ key: Buffer.from('h'), value: Buffer.from('x') }], lengthDelta: -1 }]), code: CORRUPT, message: /batch 0: record 0: header value/ },
    // Compressed batches are walked too.
    { name: 'gzip: offset deltas out of order inside', bytes: gzipped([{ offsetDelta: 0 }, { offsetDelta: 5 }]), code: INVALID, message: /batch 0: record 1: offset delta 5/ },
    { name: 'gzip: bytes after the records inside', bytes: gzipped(records(2), { trailing: Buffer.from([1, 2, 3]) }), code: CORRUPT, message: /batch 0: 3 bytes remain after the 2 records/ },
    { name: 'gzip: record count larger than the records inside', bytes: gzipped(records(2), { recordCount: 3 }), code: CORRUPT, message: /batch 0: record 2: / },
    { name: 'lz4: a truncated payload', bytes: edited(rawBatch(records(20), { compression: CompressionType.Lz4 }), (b) => b.writeInt32BE(b.readInt32BE(BATCH_LENGTH) - 5, BATCH_LENGTH)).subarray(0, -5), code: CORRUPT, message: /batch 0: lz4 decompression failed/ },
    // Frame, magic and CRC.
    { name: 'CRC wrong', bytes: (() => { const b = Buffer.from(good); b[b.length - 1]! ^= 1; return b; })(), code: CORRUPT, message: /batch 0: CRC mismatch/ },
    { name: 'magic 1', bytes: edited(good, (b) => b.writeInt8(1, MAGIC)), code: CORRUPT, message: /batch 0: at byte 0: magic 1/ },
    { name: 'batch length past the append', bytes: edited(good, (b) => b.writeInt32BE(b.length, BATCH_LENGTH)), code: CORRUPT, message: /batch 0: at byte 0: batch of/ },
    { name: 'batch length smaller than a header', bytes: edited(good, (b) => b.writeInt32BE(10, BATCH_LENGTH)), code: CORRUPT, message: /batch 0: at byte 0: batch length 10/ },
    { name: 'a producer id beyond 2^53', bytes: edited(good, (b) => b.writeInt32BE(0x7fffffff, PRODUCER_ID)), code: CORRUPT, message: /batch 0: int64 at 43/ },
    // More than one batch: the second is judged like the first, and refuses the whole append.
    { name: 'batch 1 of 2 with offset deltas out of order', bytes: Buffer.concat([good, rawBatch([{ offsetDelta: 1 }])]), code: INVALID, message: /batch 1: record 0: offset delta 1/ },
    { name: 'batch 1 of 2 cut short', bytes: Buffer.concat([good, good.subarray(0, 30)]), code: CORRUPT, message: /batch 1: at byte \d+: 30 bytes left/ },
  ];
  return cases;
}
